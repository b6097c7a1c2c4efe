# One image for the Rasa server, the action server and (later) the workers.
FROM python:3.10-slim-bookworm
WORKDIR /app
RUN useradd --create-home --uid 1001 lien
COPY requirements.txt .
RUN pip install --no-cache-dir "pip<24" \
 && pip install --no-cache-dir -r requirements.txt \
 && pip check
COPY . .
RUN chown -R lien /app
USER lien
# The model is trained at build time so that every replica serves the same one.
RUN rasa train --fixed-model-name lien --out models
ENV PYTHONPATH=/app
EXPOSE 5005 5055
CMD ["rasa", "run", "--enable-api", "--model", "models/lien.tar.gz", "--port", "5005"]
