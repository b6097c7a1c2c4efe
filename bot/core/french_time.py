"""French dates and times as people write them.

:func:`read_at` turns a whole message into a :class:`Proposal`: the day, the hour
or the part of the day the person wants, the hours and days they refuse ("pas
à 10h, je bosse"), and whether they accept the moment on the table ("ok",
"l'heure que vous voulez"), decline it ("non") or call the whole thing off
("annule", "laissez tomber", "non merci"). :func:`spoken` says a moment back
("jeudi 27 novembre à 14h30"); :class:`CallTime` is what a booking made of it
(``bot/calls/when.py`` decides).

Messages are read clause by clause: "le kiné vient le 9, appelez-moi le 11 à
16h" is the 11th; "j'ai fait le 18 lundi, rappelez-moi mercredi à 16h" is
Wednesday (emergency and help-line numbers are never dates nor hours). SMS spelling is
read too ("dem1", "mercredi pro ver 4h de laprem", "sam"). :func:`fold` and
:func:`day_in` are shared with the check-in preferences (``bot/checkins/prefs.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time as dtime, timedelta
from typing import List, Optional, Sequence, Tuple

import dateparser

from bot.core.wording import raw

PARTS_OF_DAY = (
    (r"fin de matinee|avant (?:le )?(?:dejeuner|dej|repas de midi|manger)", dtime(11, 0)),
    # "après le déjeuner, une heure et demie": the afternoon is said
    (r"apres (?:le |mon )?(?:dejeuner|dej|repas de midi|manger)|apres (?:la |ma )?sieste",
     dtime(14, 30)),
    (r"debut d ?apres[ -]?midi|debut d ?aprem", dtime(14, 0)),
    (r"fin d ?apres[ -]?midi|fin d ?aprem", dtime(17, 0)),
    (r"apres[ -]?midi|aprem|aprm|apm", dtime(14, 30)),
    (r"matinee|matin|mat1", dtime(10, 0)),
    (r"midi", dtime(12, 0)),
    (r"soiree|soir|swar", dtime(18, 0)),
)
# A refused part of the day ("pas le matin") refuses these hours.
PART_HOURS = {
    dtime(10, 0): tuple(dtime(h, m) for h in range(8, 12) for m in (0, 30)),
    dtime(11, 0): tuple(dtime(h, m) for h in range(10, 12) for m in (0, 30)),
    dtime(14, 30): tuple(dtime(h, m) for h in range(13, 18) for m in (0, 30)),
    dtime(14, 0): tuple(dtime(h, m) for h in range(13, 16) for m in (0, 30)),
    dtime(17, 0): tuple(dtime(h, m) for h in range(16, 19) for m in (0, 30)),
    dtime(18, 0): tuple(dtime(h, m) for h in range(18, 21) for m in (0, 30)),
}
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
          "septembre", "octobre", "novembre", "decembre")
FILLERS = r"\b(pardon|oups|zut|mince|euh|meme|vers|environ|aux alentours de|" \
          r"autour de|plutot|disons|si possible|svp|" \
          r"stp|s il vous plait|sil vous plait|s il te plait|sil te plait|" \
          r"ca m irait|ca me va|ca irait|je prefere|je prefererais|" \
          r"je serai la|je suis dispo|dispo|disponible|pour|possible|plus tard|" \
          r"ok|oui|bien|merci|le mieux|c est|c|est|ce serait|serait|a|au|le|la|les|l|de|du|" \
          r"d|un|une|en|on|peut|pourrait|faire|appeler|appel|m|me|moi|par|exemple|" \
          r"non|nan|alors|bon|ben|bah|sinon|finalement|en fait|si|vous|tu|pourriez|" \
          r"pouvez|peux|s appeler|se parler|parler|appelez|rappelez|sappel|sapel|" \
          r"ca|va|marche|convient|et|ou|y|sur le coup de|pile|tapante?s?|please|genre|" \
          r"mettez|mettre|remettez|remettre|mets|remets|exactement|precisement|quand meme)\b"


def _moment_words(text: str) -> str:
    """The words of a moment in a phrase ("de lundi à 14h" -> "lundi a 14h").

    What something else called off leaves free, for "à cette heure-là" after it.
    """
    keep = {*WEEKDAYS, "demain", "a", "midi", "heure", "heures", "et", "demie", "quart",
            "moins", "dix", "sept", "huit", "neuf", *HOUR_WORDS, *MINUTE_WORDS}
    return " ".join(w for w in text.split()
                    if w in keep or re.fullmatch(r"\d{1,2}(?:h\d{0,2})?", w))


# SMS spelling and abbreviations, rewritten before reading (on folded text).
SMS_WORDS = (
    (r"\bnn\b", "non"),
    # "le mm jour a 17h", "jeudi mm heure": même
    (r"\bmm\b(?= (?:jour|heure|horaire|moment)\b)", "meme"),
    # "lesse tombé", "laise tomber": laisse (typed as heard)
    (r"\b(?:lesse|lese|laise|lesser|leser|laiser|lessez|lesez|laisez)\b(?= tomb)", "laisse"),
    # "ch'est pu la peine" (ch'ti, typed as heard): c'est plus la peine
    (r"\bch est\b", "c est"), (r"\bpu\b(?= (?:la peine|besoin|necessaire)\b)", "plus"),
    # "mardi sa me va mais surtt pas a 14h": ça, surtout
    (r"\bsa (?=(?:me |m )?(?:va|ira|irait|marche|convient|arrange)\b)", "ca "),
    (r"\bsurtt?\b", "surtout"),
    # "à seize heures trente ses mieux pour moi" (dictated, written as heard): c'est
    (r"\b(?:ses|ces|sait|cest|s est)\b(?= (?:mieux|parfait|ideal|ok|d accord|tres bien|"
     r"bien pour moi|bon pour moi)\b)", "c est"),
    # "dsl jpp finalmt": finalement, shortened
    (r"\b(?:finalmt|finalemt|finalmnt|finalmen|finlmt)\b", "finalement"),
    # "laissez tomber le matin, je me lève tard. Dimanche 14h": the morning refused
    (r"\blaiss\w* tomb\w* (le matin|la matinee|les matins|l apres midi|l aprem|le soir|"
     r"la soiree|les soirs|midi|le midi)\b", r"pas \1"),
    # "lundi qui vient", "la semaine qui vient": the coming one
    (r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) qui (?:vient|arrive)\b",
     r"\1 a venir"),
    (r"\bla semaine qui (?:vient|arrive)\b", "la semaine prochaine"),
    (r"\b(?:dem1|dm1|2m1|demin|dmain|dmn|dmai|demai)\b", "demain"),
    (r"\bdem\b(?= (?:\d|a \d|vers\b|matin\b|soir\b|aprem\b|apres midi\b|midi\b))", "demain"),
    # "le lendemain de mon anniversaire, le 15, à 11h": the date said beside the day
    # told by an event is the day
    (r"\b(?:la veille|l avant veille|le lendemain|le surlendemain) (?:du|de la|de l|des|de)"
     r" [^,.;:!?()]{1,40}?, (le \d{1,2})\b(?! ?h)", r"\1"),
    # "vendredi 19h, je suis pas dispo avant, j'ai le club": the hour said is the
    # earliest, not refused ("pas dispo avant 14h" keeps its hour)
    (r"\b(?:je ne suis|je suis|jsuis|j suis|chuis|suis) pas (?:dispo\w*|libre) avant\b"
     r"(?! ?(?:\d|midi|demain|le |la |l |ce |cet |cette |lundi|mardi|mercredi|jeudi|vendredi|"
     r"samedi|dimanche))", "pas avant"),
    # "j'habite au 3e, je dis ça pour rien, c'est pas utile": an aside about what was
    # just said, never the call called off
    (r"\b(?:je|j) (?:le |vous le )?dis (?:ca|cela) (?:pour rien|comme ca|en passant),?"
     r"(?: (?:c est|c|ce n est|ca n est|ca) (?:pas|point) (?:utile|important|grave))?\b", ""),
    # "ok pr dem", "c bon pour dem !": "dem" for tomorrow, said last after "pour"
    (r"\b(pr|pour) dem\b(?= ?(?:$|[,.;!?]))", r"pour demain"),
    (r"\bapre ?demain\b", "apres demain"),
    # "g le kiné à 16h", "g rdv": j'ai
    (r"\bg (?=(?:le|la|les|l|un|une|mon|ma|mes|du|des|rdv|cours|taf|boulot|pas|plus|rien|"
     r"besoin|oublie|eu|fait|dit|promis|piscine|kine|medecin|docteur)\b)", "j ai "),
    (r"\bl ?aprem\b|\blaprem\b|\blapres ?midi\b|\bl ?apre ?midi\b|\bapre ?midi\b|"
     r"\bapr midi\b", "l apres midi"),
    (r"\b(une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|\d{1,2}) heur\b",
     r"\1 heures"),
    (r"\b(?:ajd|auj|ojd|ojourdhui|aujourdhui|aujourd hui)\b", "aujourd hui"),
    (r"\bver\b", "vers"),
    (r"\b(?:pro|proch)\b", "prochain"),
    (r"\bsam\b", "samedi"), (r"\bdim\b", "dimanche"), (r"\bven(?:d|dr)?\b", "vendredi"),
    (r"\blun\b", "lundi"), (r"\bmer(?:c|cr)?\b", "mercredi"),
    # "jeu" for jeudi, not "il regarde son jeu à la télé"
    (r"(?<!son )(?<!mon )(?<!ton )(?<!le )(?<!un )(?<!du )(?<!au )(?<!ce )(?<!leur )"
     r"\bjeu\b(?! (?:de|d|video|televise))", "jeudi"),
    (r"\bmar\b", "mardi"), (r"\bswar\b", "soir"), (r"\bmat1\b", "matin"),
    (r"\bmidi et demi(?:e)?\b", "12h30"), (r"\bmidi et quart\b", "12h15"),
    # "vers 4 de l'après-midi", "around 4 in the afternoon", "à 7 du soir": an hour
    (r"\b(vers|a|pour|sur les|environ|aux alentours de) (\d{1,2}) (?=(?:de l |l |dans l )?"
     r"apres midi\b|du soir\b|du matin\b|le matin\b|le soir\b)", r"\1 \2h "),
    # "dis heure et demi" (ten, spelt as heard)
    (r"\bdis (?=heures?\b)", "dix "),
    # "jvx un apl samedi 17h": je veux un appel (never "mon APL", the housing benefit)
    (r"\bjvx\b|\bjveux\b|\bjveu\b", "je veux"),
    (r"\b(un|1) apl\b(?= (?:demain|aujourd hui|ce |cet |cette |le \d|a \d|vers |\d|"
     + "|".join(WEEKDAYS) + r"))", r"\1 appel"),
    (r"\bpa\b", "pas"), (r"\bjpeu[xt]?\b|\bjpe\b", "je peux"), (r"\bc pas\b", "c est pas"),
    (r"\bds\b", "dans"), (r"\bjpourrai\b", "je pourrai"), (r"\bjserai\b", "je serai"),
    # "qq1 peu mapl ?": quelqu'un peut m'appeler
    (r"\bm ?app?ll?e?r?\b|\bm ?apl\w*|\bmapel\w*", "m appeler"),
    (r"\b(?:qq1|qqn|kk1|kelk1|kelkun|quelqun)\b", "quelqu un"),
    (r"\bmettons\b", "disons"),
    # Dictation's mishearings: "deux mains matin" (demain), "l'un dit" (lundi), "ça me
    # dit à trois heures" (samedi), "a nulle" (annule)
    (r"(?<!\bles )(?<!\ba )(?<!\bdes )(?<!\bmes )\bdeux mains?\b"
     r"(?= (?:matin|soir|apres|midi|a |vers |\d))", "demain"),
    (r"\bl un dit\b|\bl undi\b", "lundi"),
    # "catorze heure jeudi prochain", "kinze heures": numbers spelt as heard
    (r"\b(?:catorze|katorze|quatorse|catorse)\b", "quatorze"),
    (r"\b(?:kinze|quinse|kinse)\b", "quinze"), (r"\b(?:saize|seise|ceize)\b", "seize"),
    # "vendre dit à 15 heures" (vendredi), "de main à dix-huit heures" (demain)
    (r"\bvendre dit?\b", "vendredi"),
    (r"(?<!\bla )(?<!\bune )(?<!\bsa )(?<!\bma )\bde main\b"
     r"(?= (?:matin|soir|apres|midi|a |vers |\d))", "demain"),
    # Portuguese and Spanish days and hours ("sábado de manhã, 10 horas")
    (r"\bsegunda(?: feira)?\b|\blunes\b", "lundi"), (r"\bterca(?: feira)?\b|\bmartes\b", "mardi"),
    (r"\bquarta(?: feira)?\b|\bmiercoles\b", "mercredi"),
    (r"\bquinta(?: feira)?\b|\bjueves\b", "jeudi"),
    (r"\bsexta(?: feira)?\b|\bviernes\b", "vendredi"), (r"\bsabado\b", "samedi"),
    (r"\bdomingo\b", "dimanche"), (r"\bde manha\b|\bpor la manana\b", "le matin"),
    (r"\b(\d{1,2}) horas?\b", r"\1h"),
    (r"\bca me dit (?=(?:a \d|a \w+ heures?|vers|matin|soir|apres midi|midi)\b)", "samedi "),
    (r"\ba nul+e?\b(?! part)", "annule"),
    # A cancellation told as past: "la dernière fois j'avais annulé au dernier moment,
    # cette fois c'est sûr : lundi 7 à 11h", "on avait annulé en novembre" (the
    # pluperfect); "l'autre fois j'ai annulé, excusez-moi" (a time gone by said before
    # it). What happened then calls nothing off now ("j'ai annulé" alone still does).
    (r"\b(?:j|je|on|nous|vous) (?:l |les )?(?:avais|avait|avions|aviez) (?:deja )?an+ul+\w*"
     r"|\b(?:la derniere fois|l autre fois|la fois derniere|la fois d avant|la semaine derniere|"
     r"le mois dernier|l autre jour|avant hier|hier)[^.;!?|]{0,30}?\b(?:j|je|on|nous|vous) "
     r"(?:l |les )?(?:ai|a|avons|avez) an+ul+\w*", " j avais fait faux bond "),
    # "N'appelez pas samedi, je vous en prie", "vous n'appelez pas vendredi": the day
    # called off, as "ne m'appelez pas samedi" (never "n'appelez pas avant 10h", "pas
    # ma fille", nor a question: "vous n'appelez pas le samedi ?")
    (r"\b(?:vous )?n (appelez|rappelez|telephonez) pas\b(?=(?: (?:" + "|".join(WEEKDAYS)
     + r"|demain|ce jour la|le \d{1,2}(?! ?h))\b(?![^,.;!?]*\?)| ?(?:$|[,.;!])))",
     r"ne m \1 pas"),
    # "je pourrai annuler plus tard ?": a question about cancelling, not a cancel;
    # "mon rendez-vous chez le docteur est annulé": something else called off
    # ("c'est possible d'annuler celui de dimanche ?": that call, a request)
    (r"\b(pourrai|pourrais|pourra|pourrait|peux|peut|puis je|possible d|possible de|faut il|"
     r"dois je|on peut)( toujours| encore| bien| quand meme)? an+ul+\w*\b"
     r"(?! (?:celui|celle|l appel|le rdv|le rendez vous|mon appel|notre appel|cet appel) "
     r"(?:de|du|d|pour|prevu)\b)", r"\1 changer"),
    (r"(?<!\bc )\b(?:est|a ete|sont|ont ete|etait|sera|vient d etre|viennent d etre) (?:deja )?"
     r"an+ul+e+s?\b",
     "n a pas lieu"),
    # "mon fils a annulé quelque chose pour moi": not the call
    (r"\b(?:il|elle|ils|elles|on) (?:a|ont|m a|lui a) an+ul+\w* (?:quelque chose|qqch|qqc|"
     r"autre chose|un truc|une commande|un achat)\b", " "),
    # Something else called off: "j'ai annulé le coiffeur", "l'infirmière a annulé
    # sa visite", "j'ai dû annuler mon rendez-vous chez le docteur"
    (r"\ban+ul+\w* (?:mon |ma |mes |le |la |les |l |sa |son |ses |leur |notre )"
     r"(?:(?:rendez vous|rdv) (?:chez|avec le|avec la|au|a la|a l|medical|de kine)\b|"
     r"coiff\w*|visite|consultation|seance|kine\w*|dentiste|medecin|docteur|infirmi\w*|"
     r"cours|reunion|repas|sortie|voyage|train|billet|commande|courses?|club|atelier|"
     r"abonnement|livraison|taxi|ambulance|pedicure|podologue|ophtalmo\w*|prise de sang)\b"
     r"([^.,;:!?|]{0,50})", lambda m: " , creneau " + _moment_words(m.group(1)) + " ,"),
    # The call kept in so many words: "on ne l'annule surtout pas", "j'ai failli
    # annuler mais non", "non pas que je veuille annuler", "pour annuler, on fait
    # comment ?"
    (r"\b(?:ne l |n )an+ul+\w*(?: surtout| jamais)? pas\b|\bsurtout pas an+ul+\w*|"
     r"\bfailli an+ul+\w*|\bpas que je (?:veuille|veux|voudrais) an+ul+\w*"
     r"(?:[^|]{0,20}?(?:c est )?juste pour savoir)?|"
     r"\b(?:pour |comment (?:on )?(?:fait |faire )?(?:pour )?)an+ul+\w*(?=[^.?!|]{0,30}"
     r"(?:comment|\?|on fait))", " "),
    # "Annulez... ah non pardon, [...] gardez bien demain 18h": the cancel taken back
    (r"\ban+ul+\w*(?=[^|]{0,120}\b(?:ah non|non pardon|pardon|en fait|finalement|non non)\b"
     r"[^|]{0,120}\bgard(?:ez|e|er|ons)\b)", " "),
    # "Heure 11": the hour after its word
    (r"(?<!\d )\bheure (\d{1,2})\b(?! ?(?:h|heures?|jours?)\b)", r"\1h"),
    # "à ma pause": a moment of the person's day, not a pause of the messages
    (r"\b(?:a|pendant|sur) (?:ma|la|mon) pause(?: dejeuner| de midi| repas| cafe)?\b", " "),
    # "pas ce samedi-ci, celui d'après", "vendredi prochain, pas celui de demain,
    # l'autre": the one of the week after
    (r"\b(" + "|".join(WEEKDAYS) + r")(?: prochain)?,? pas (?:ce|cette|celui|celle)(?: \w+)?"
     r"(?: ci| la| de demain| de cette semaine)?,? (?:(?:celui|celle|le|la) (?:d apres|suivant|"
     r"suivante)|l autre)\b", r"\1 en huit"),
    # "pas ce lundi-ci, celui d'après" (on a Thursday: the 14th, not the 7th); "pas ce
    # samedi-ci, j'ai le repas des anciens. Le suivant plutôt, vers 11h"
    (r"\bpas (?:ce|cette) (" + "|".join(WEEKDAYS) + r") ci\b[^|]{0,90}?\b(?:celui|celle|le|la) "
     r"(?:d apres|suivant|suivante)\b", r"\1 en huit"),

    (r"\bvs\b", "vous"), (r"\bn ?import\w*\b", "n importe"), (r"\bkan\b", "quand"),
    (r"\btjr?s?\b|\btoujour\b", "toujours"),
    # "vers 17-18h" (folded "vers 17 18h"), "sur les 10-11h": hours around, not the 17th
    (r"\b(vers|sur les|autour de|aux alentours de|environ) (\d{1,2}) (\d{1,2}) ?h(?:eures?)?\b",
     lambda m: f"{m.group(1)} {m.group(2)}h" if 0 < int(m.group(3)) - int(m.group(2)) <= 3
     else m.group(0)),
    # "entre 15 et 17 heures": a window of hours, not the 15th
    (r"\bentre (\d{1,2}) et (\d{1,2}) ?h(?:eures?)?\b", r"entre \1h et \2h"),
    (r"\b(?:tt|tout) a l ?heure\b", "tout a l heure"),
    # "dispo tt le temps", "libre tte la journée" (SMS): all the time
    (r"\btt le temps\b", "tout le temps"), (r"\btte la (journee|semaine)\b", r"toute la \1"),
    # "la semaine est pleine... Il me reste le mardi", "il ne me reste que jeudi": the
    # day left free, the one chosen
    (r"(?<!\bqui )\b(?:il )?(?:ne )?(?:me|nous) reste (?:plus )?(?:que )?(?:le |la |l )?"
     r"(?=(?:demain|apres demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b)",
     "donc "),
    (r"\bdu mat\b", "du matin"), (r"\bpouve\b", "pouvez"), (r"\bvou\b", "vous"),
    # "entre midi et deux": the lunch break, 12h to 14h
    (r"\bentre midi et (?:deux|2)\b(?! ?h)", "entre 12h et 14h"),
    # "pas entre midi et 14h", "sauf entre 12h et 14h": a window refused (read_at
    # takes it out, see _BUSY_RE)
    # ("ne pas appeler entre 11 heures et midi")
    (r"\b(?:pas|sauf|hors|excepte|en dehors de) (?:(?:m |me |l |la |le )?(?:appeler|rappeler|"
     r"telephoner) )?(?:le matin |l apres midi |le soir |le midi )?"
     r"entre (midi|\d{1,2})(?: ?h(?:eures?)? ?(\d{2})?)? et "
     r"(midi|\d{1,2})(?: ?h(?:eures?)? ?(\d{2})?)?",
     lambda m: " occupe {}h{} {}h{} ".format(
         "12" if m.group(1) == "midi" else m.group(1), m.group(2) or "00",
         "12" if m.group(3) == "midi" else m.group(3), m.group(4) or "00")),
    # "je commence à 13h et je finis à 21h cette semaine", "je commence à 14h jusqu'à
    # 22h": a shift, busy from its start to its end (not only until the end); "je
    # commence lundi, de 6h à 14h30": every day from then
    (r"\b(?:je|j) (?:commence|commencerai|embauche|prends mon poste) (?:(?:demain|lundi|mardi|"
     r"mercredi|jeudi|vendredi|samedi|dimanche) ?,? )?(?:a |de )?(\d{1,2}) ?h ?(\d{2})?"
     r"(?:(?: ?,| et| puis)? (?:je )?(?:finis|finirai|termine|terminerai|debauche|sors) (?:a )?|"
     r" jusqu a | a )(\d{1,2}) ?h ?(\d{2})?",
     lambda m: " occupe {}h{} {}h{} ".format(m.group(1), m.group(2) or "00",
                                             m.group(3), m.group(4) or "00")),
    # "on me branche à 13h et je rentre en VSL vers 19h", "on m'emmène à 9h et je ne
    # rentre qu'à 13h", "l'ambulance me prend à 8h, je suis de retour vers 14h": taken
    # away for care from the first hour to the second (not only before the return);
    # never "je pars au travail à 6h30 et je rentre à 19h" (said by a relative for
    # someone else's call as often as for one's own)
    (r"\b(?:on (?:me |m )?(?:branche|emmene|prend|conduit)|"
     r"on (?:vient|passe) me chercher|(?:le|la|l) (?:taxi|ambulance|vsl|navette) "
     r"(?:me |m )?(?:prend|emmene|vient|passe))[^,.;!?\d]{0,25}? a (\d{1,2}) ?h ?(\d{2})?"
     r"(?: et| puis|,)? (?:je |on me )?(?:ne )?(?:rentre|reviens|suis de retour|"
     r"serai de retour|serai rentree?)[^,.;!?\d]{0,30}? (?:qu )?(?:a|vers) (\d{1,2}) ?h ?(\d{2})?",
     lambda m: " occupe {}h{} {}h{} ".format(m.group(1), m.group(2) or "00",
                                             m.group(3), m.group(4) or "00")
     if int(m.group(1)) < int(m.group(3)) <= 23 else m.group(0)),
    # "entre 14 et 16h", "de 14 à 16h": the start of the window
    (r"\b(?:entre|de) (\d{1,2})(?: ?h ?(\d{2})?)? (?:et|a) \d{1,2} ?h(?:\d{2})?\b",
     lambda m: f"{m.group(1)}h{m.group(2) or ''}"),
)
HOUR_WORDS = {"une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
              "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
              "quatorze": 14, "quinze": 15, "seize": 16, "dix sept": 17, "dix huit": 18,
              "dix neuf": 19, "vingt": 20}
# "quatorze heures trente", "14h quinze": the minutes in words after an hour.
MINUTE_WORDS = {"cinq": 5, "dix": 10, "quinze": 15, "vingt": 20, "vingt cinq": 25,
                "trente": 30, "trente cinq": 35, "quarante": 40, "quarante cinq": 45,
                "cinquante": 50, "cinquante cinq": 55}
# Emergency and help-line numbers (15 SAMU, 17 police, 18 pompiers, 112, 114 SMS,
# 115 Samu social, 119 enfance, 3114 suicide, 3919 violences, 3977 maltraitance):
# never a date, never an hour.
SERVICE_NUMBERS = r"(?:15|17|18|112|114|115|119|3114|3919|3977|116 ?117|116 ?006)"
_SERVICE_RE = re.compile(
    r"(?:(?<!\bm )(?<!\bme )(?<!\bnous )(?<!\bvous )(?<!\bt )(?<!\bte )"
    r"\b(?:appele|appelle|appeler|appel|fait|faire|fais|faites|compose|composer|composez|"
    r"tape|taper|contacte|contacter|joint|joindre|prevenu|prevenir|numero|num)"
    r"(?: (?:le|au|l))?|(?<!\bjusqu )\bau|\bsamu|\bpompiers|\bpolice|\bgendarmes?)"
    r" " + SERVICE_NUMBERS + r"\b(?!\s*(?:h\b|h\d|heures?|:|er\b|/|" + "|".join(MONTHS) + r"))"
)
_BIG_SERVICE_RE = re.compile(r"\b(?:112|114|115|119|3114|3919|3977|116 ?117|116 ?006)\b")
# A window refused ("occupe 12h00 14h00", written by normalise) and a time the
# person is busy until ("je vais au marché jusqu'à 11h30", with no call word).
_BUSY_RE = re.compile(r"\boccupe (\d{1,2})h(\d{2}) (\d{1,2})h(\d{2})\b")
_BUSY_UNTIL_RE = re.compile(r"\bjusqu a (?:midi|\d{1,2} ?h)")
# "je suis là tous les matins jusqu'à 11h": there (and free) until then, not busy
_THERE_UNTIL_RE = re.compile(r"\b(?:je suis|je serai|j suis|jsuis|estou|je reste) "
                             r"(?:la|presente?|a la maison|chez (?:elle|lui|moi))\b")
_UNTIL_HOUR_RE = re.compile(r"\bjusqu a (midi|\d{1,2}) ?h?(\d{2})?")


def _until(text: str) -> Optional[dtime]:
    """The hour after "jusqu'à" ("de 6h jusqu'à 14h": 14h; "jusqu'à 3h": 15h)."""
    match = _UNTIL_HOUR_RE.search(text)
    if not match:
        return None
    hour = 12 if match.group(1) == "midi" else int(match.group(1))
    if not 0 <= hour <= 23 or int(match.group(2) or 0) > 59:
        return None
    return dtime(hour + 12 if 1 <= hour <= 6 else hour, int(match.group(2) or 0))


_CALL_HOURS = tuple(dtime(h, m) for h in range(8, 21) for m in (0, 30))
# "dimanche je travaille chez une dame de 9 à 16": a window of hours on a day
_DAY_WINDOW_RE = re.compile(r"\b(?:de|entre) (\d{1,2}) ?h?(?:\d{2})? (?:a|et|jusqu a) "
                            r"(\d{1,2}) ?h?(?:\d{2})?\b(?! ?(?:ans?|euros?|jours?|kg|km)\b)")
# The hours a part of the day told ("le 24 au soir") spans, to tie an hour to it.
_PART_SPAN = {part: tuple(dtime(h, m) for h in range(first, last) for m in (0, 30))
              for part, first, last in ((dtime(10, 0), 6, 12), (dtime(11, 0), 10, 12),
                                        (dtime(14, 0), 12, 16), (dtime(14, 30), 12, 19),
                                        (dtime(17, 0), 15, 20), (dtime(18, 0), 17, 24))}
_CLAUSE_SPLIT = re.compile(
    # ("pas aujourd'hui 😄 10h30": an emoji ends a phrase as a full stop does)
    # ("vendredi en huit (pas demain hein, celui d'après)": a day set apart in brackets
    # is a phrase of its own)
    r"\((?= *(?:pas|non|celui|celle|not)\b)|"
    r"[,.;!?\n\u2600-\u27bf\U0001f300-\U0001faff]+|:(?=\s*(?:pourriez|pouvez|pourrais|peux|appelez|rappelez|vers|plutot|"
    r"remettez|mettez|reprogrammez|notez)\b)|"
    r"\b(?=(?:mais|sinon|donc|par contre|plutot|ou alors|ou bien|je prefere|"
    r"je prefererais|de preference|parce que|parce qu|car|puisque|depuis que|vu que|"
    r"disons|alors|enfin bref|bref|je voulais (?:vous )?dire que|est ce que|est ce qu|"
    r"je veux dire|je voulais (?:ecrire|mettre|taper|marquer)\b|"
    # "...lundi vers dix heures et demie apres je vais au cimetiere": dictation
    # without punctuation, a new clause where the story goes on
    r"(?:apres|ensuite|et puis) (?:je|j|on|il|elle)\b|"
    # "mardi dix heures non pardon mercredi dix heures c'est le mardi que j'ai le
    # marché": a correction, and the reason given for it
    r"non (?:pas|pardon|plutot)|pardon|c est (?:le |la )?(?:" + "|".join(WEEKDAYS)
    + r")s? (?:que|qu))\b)|"
    # "non pas celui là l'autre le 11"
    r"(?<=\bcelui la )|(?<=\bcelle la )|"
    # "après-demain à 14h pas le matin": the refusal said after the moment
    r"(?:(?<=\dh )|(?<=\dh\d\d )|(?<=midi )|(?<=matin )|(?<=soir )|(?<=demain ))"
    r"(?=pas (?:le|la|l|a|au|avant|ce|cet|cette|en|entre|\d{1,2}h(?:\d{2})?)\b)|"
    # "samedi 18h non 19h", "dimanche 13 non 6 dimanche qui vient": a moment
    # corrected inline, the correction is a clause of its own
    r"(?:(?<=\d )|(?<=\dh )|(?<=\dh\d\d ))(?=non (?:\d|le \d|(?:" + "|".join(WEEKDAYS) + r")\b))|"
    # "lundi 7 à 17h quand ils seront repartis": when it suits, a reason of its own
    r"(?:(?<=\dh )|(?<=\dh\d\d ))(?=(?:quand|lorsque|une fois que) (?:je|j|il|elle|ils|elles|on|"
    r"ma|mon|mes|les|le|la)\b)|"
    # "enfin 18h30 jsuis pas sûr d'être rentré à 18h": the reason, with its own hour
    r"(?:(?<=\dh )|(?<=\dh\d\d ))(?=(?:jsuis|je suis|j suis|chui|je serai|jserai|je ne serai)"
    r"\b[^,.;!?]*\b\d{1,2}h)|"
    # "le 12 à 18h30 je rentre du boulot à 18h": the return told after the moment
    # asked, with its own hour, is why it suits (a clause of its own)
    r"(?:(?<=\dh )|(?<=\dh\d\d ))(?=(?:je |j )?(?:sors|sortirai|rentre|rentrerai|finis|"
    r"finirai|termine|terminerai|reviens|reviendrai|quitte|quitterai|jsors|jrentre|jfinis)"
    r"\b[^,.;!?]*\b\d{1,2}h)|"
    r"\b(?<!ne )(?=mettez\b)|(?<=\bsvp )|(?<=\bstp )|"
    # "ni lundi ni mardi": each moment refused in a clause of its own
    r"(?<=\w )(?=ni (?:le |la |l |a |au )?(?:demain|" + "|".join(WEEKDAYS)
    + r"|\d{1,2}h\d{0,2}|\d)\b)|"
    # "lundi 7 à 14 heures et pas 9 heures", "ça me va pas à 18 heures c'est la soupe",
    # "ça m'arrange pas le matin je suis à l'hôpital" (dictated): an hour or a part of
    # the day refused is a clause of its own, whatever comes before it
    r"(?<!\bmais )(?<!\bdonc )(?<!\bet )(?<!\bsurtout )(?<!\balors )(?<=\w )"
    r"(?=(?:(?:et|mais|donc|alors) )?(?:surtout )?pas (?:a |au |vers )?(?:\d{1,2} ?h\b|"
    r"\d{1,2} ?h ?\d{2}\b|\d{1,2} heures?\b|midi\b|le matin\b|le soir\b|l apres midi\b|"
    r"en soiree\b|en matinee\b))|"
    # "...surtout pas à ce moment-là sinon je n'entends pas la sonnette vendredi à 14h30
    # ce serait parfait" (dictated): a moment said to suit is a clause of its own, the
    # refusal before it does not reach it
    r"(?<!\bpas )(?<!\bni )(?<!\bsauf )(?<!\bou )(?<!\bet )(?<!\bapres )(?<=\w )"
    r"(?=(?:le )?(?:demain|" + "|".join(WEEKDAYS) + r")(?: \d{1,2})? (?:a |vers )?"
    r"\d{1,2} ?(?:h|heures?)(?: ?\d{2})? (?:ce serait|ca serait|ce sera|ca sera|c est|c serait|ca) "
    r"(?:parfait|ideal|bien|super|tres bien|top|me va|m irait|m arrange|m arrangerait|"
    r"me convient|me conviendrait)\b)|"
    # "midi non c le portage", "à 6 heures non c'est l'infirmière": the hour refused,
    # then why
    r"(?:(?<=\dh non )|(?<=\dh\d\d non )|(?<=midi non )|(?<=heures non )|(?<=heure non )|"
    r"(?<=matin non )|(?<=soir non )|(?<=midi non ))"
    r"(?=(?:c|c est|ce|j|je|il|elle|on|ma|mon|mes|le|la|l|les|car|parce)\b)")
_PAST_RE = re.compile(
    r"\b(hier|avant hier|cette nuit|la nuit derniere|l autre jour|la semaine derniere|"
    # "je crois que c'était 14h l'an dernier"
    r"l an (?:dernier|passe)|l annee (?:derniere|passee)|"
    r"tout a l heure j ai)\b|"
    # "ça va mieux depuis samedi": since a moment past (never a length of time or a
    # state: "je suis levée depuis longtemps", "veuve depuis 2019", "depuis que
    # j'entends mal")
    # ("depuis ma DMLA je souhaiterais...": since an illness, no moment told)
    r"\bdepuis\b(?! (?:(?:ma|mon|mes|sa|son|ses|notre|nos|leur|leurs) [a-z]{3,}\b(?! (?:de |du )?"
    r"(?:" + "|".join(WEEKDAYS) + r"|hier|avant hier|\d))|longtemps|toujours|tout ce temps|"
    r"des annees|des mois|des semaines|"
    r"quelque temps|peu|\d{4}\b|(?:\d+|un|une|deux|trois|quatre|cinq|six|dix) (?:ans?|annees?|"
    r"mois|semaines?)\b|que\b|qu\b))|"
    r"\bj ai (?:deja |bien )?(?:appele|fait|compose|eu|pris|vu|tape)\b|"
    # "les pompiers sont venus vers 6h30 et l'ont emmenée": what happened
    # (never "quand je suis rentrée", "quand tout est rentré": a moment to come)
    r"\b(?<!\bs )(?<!quand )(?<!quand je )(?<!quand on )(?<!quand tout )(?<!quand il )"
    r"(?<!quand elle )(?<!que je )(?<!lorsque je )"
    r"(?:sont|est|suis|sommes|etait|etaient) (?:deja )?(?:venu|passe|parti|arrive|"
    r"tombe|alle|rentre|sorti)e?s?\b|"
    r"\b(?:l ont|m ont|ont) (?:deja )?(?:emmene|amene|pris|vu)e?s?\b|"
    # "mon mari est entré à l'hôpital hier soir", "elle a été hospitalisée ce matin":
    # what happened (never "quand il est entré à l'hôpital")
    r"\b(?<!quand )(?<!quand il )(?<!quand elle )(?<!que )(?:est|sont|suis|etait|etaient|"
    r"a ete|ont ete) (?:deja )?(?:entree?s?|hospitalisee?s?|admise?s?) "
    r"(?:a l|au|aux|a la|en)\b|"
    # "le monsieur qui m'a appelée mardi à 16h": a call that was
    r"\b(?:m|nous) (?:a|ont|avait|avaient) (?:deja )?(?:appele|telephone|rappele)e?s?\b")
# "le samedi quand ma fille (elle) est rentrée du travail, à 18h": a moment to come
# once someone is back, nothing past (the subject may be a few words long)
_ONCE_BACK_RE = re.compile(
    r"\b(?:quand|lorsque|lorsqu|des que|des qu|une fois que|une fois qu|apres que|apres qu) "
    r"(?:[a-z]+ ){1,3}?(?:est|sont) (?:deja )?(?:venu|passe|parti|arrive|rentre|sorti|revenu)"
    r"e?s?\b")
_NEGATION_RE = re.compile(
    # ("évitez la fin d'après-midi, elle est agitée": that part of the day refused)
    r"\b(pas|jamais|impossible|peux pas|jpeux pas|pourrai pas|pourrais pas|occupee?|evitez|"
    r"je travaille|jtravaille|je bosse|jbosse|je taf|empeche|empechement|"
    # "lundi je reprends à 16h", "j'embauche à 14h": the person's work starts then
    r"(?:je|j) (?:reprends|reprend|reprendrai|recommence|recommencerai|commence|commencerai|"
    r"embauche|embaucherai)(?: (?:le travail|le boulot|le taf|mon poste|mon service|ma garde|"
    r"le service))?(?= (?:a|vers|des) (?:\d|midi))|"
    r"j ai (?:un |le |mon |ma )?(?:rdv|rendez vous|kine|medecin|docteur|dentiste|"
    r"infirmiere|courses)|vient|viennent|viendra|passe|passent|passera|je passe|"
    # "le repas arrive à midi": something comes then
    r"arrive|arrivent|arrivera|"
    # "l'infirmière passant le matin vers 9h": someone's coming told with a participle
    # (not "en passant", a by-the-way)
    r"(?<!en )(?:passant|venant|arrivant)|"
    # "mon rendez-vous chez l'ophtalmo c'est le 10 à 14h30": that moment is taken
    r"(?:mon|ma|son|sa|le|un) (?:rdv|rendez vous) (?:chez|a l hopital|au|a la|"
    r"avec (?:le|la|mon|ma|l) (?!benevole|equipe|ecoutant)\w+))\b")
# "samedi c'est le marché", "le 7 j'ai la visite de ma soeur", "demain j'ai le
# médecin à 11h", "jeudi je vais chez le coiffeur": that moment is taken (when
# the clause does not ask for the call itself).
# the people who come to help with the phone ("c'est ma fille qui vient")
_HELPERS = (r"fille|fils|enfants?|petite? fille|petit fils|petits enfants|voisine?|soeur|frere|"
            r"niece|neveu|belle fille|gendre|aide a domicile|auxiliaire(?: de vie)?|"
            r"aide menagere")
_TAKEN_RE = re.compile(
    # "il a le portage des repas à 11h30": someone else's thing at an hour, told first
    # in its clause, is just as taken ("elle a son appareil le matin" is no thing taken)
    r"^(?:il a|elle a|ils ont|elles ont) (?:deja |aussi )?(?:le|la|l|les|son|sa|ses) "
    r"(?!(?:temps|moral|numero|telephone|portable|droit|habitude)\b)\w+"
    r"(?=[^,.;!?]*? (?:a|vers) (?:\d|midi))|"
    r"\b(?:j ai|jai|j aurai|c est|ce sera|il y a|y a|y aura) (?:deja |aussi )?"
    r"(?:le|la|l|les|mon|ma|mes|un|une|des|du|de la) "
    # ("le lundi 28 à 16h, c'est là que c'est le plus long": why that day; "c'est le
    # téléphone qui a écrit cette heure": the device, not a thing taken)
    r"(?!(?:temps|mieux|plus|meilleur|meilleure|bon|bonne|moment|seule?|libre|que|qu|"
    r"telephone|portable|correcteur|tel|"
    # ("samedi c'est ma fille qui vient": who helps with the phone that day)
    r"(?:" + _HELPERS + r") qui|"
    r"dispo\w*|envie|besoin|appel|coup|benevole|numero|heure|idee|anniversaire|"
    r"jour (?:qui|ou|ideal)|matin|matinee|soir|soiree|midi|apres|nuit|week|"
    + "|".join(WEEKDAYS) + r"|\d+)\b)\w+|"
    r"\bj irai\b(?! (?:mieux|bien))|"
    # "j'avais oublié ma formation le matin": a thing of one's own, remembered late
    r"\bj (?:avais|ai) (?:completement |totalement |encore )?oublie (?:le|la|l|les|mon|ma|mes|"
    r"un|une) (?!(?:appel|rdv|rendez vous|coup de fil|benevole|heure|jour)\b)\w+|"
    # "je prends le bus à 9h40", "je prends mon train vers 15h": a ride at its hour
    r"\bje (?:prends|prend|dois prendre|vais prendre|reprends) (?:le|la|mon|ma|un|une) "
    r"(?:bus|car|train|tgv|ter|tram|tramway|rer|metro|taxi|navette|avion)\b|"
    # ("mardi à 14h je serai encore au travail")
    r"\bje (?:vais|suis|serai|pars|dois aller) (?:encore |toujours |deja )?"
    r"(?:au|a la|a l|aux|chez)\b"
    r"(?! (?:moi|nous|soi|maison|elle|lui)\b)|"
    # "la visite d'une bénévole chaque jeudi à 15h", "le club tous les mardis"
    # "ce soir mes voisins m'invitent à l'apéro", "ma fille m'emmène à Chartres"
    r"\b(?:m|nous) (?:invite\w*|emmene\w*|amene\w*|convoqu\w*)\b|"
    # "le kiné a déplacé sa séance à samedi 15h30": someone else's thing, moved there
    r"\b(?:a|ont|avait|avaient) (?:deplace|decale|avance|reporte|change|mis|fixe|programme)"
    r"e?s? (?:sa|son|ses|leur|leurs) [a-z]{3,}|"
    # "la chorale a rajouté une répétition samedi de 16h à 19h", "le club a prévu une
    # sortie mardi à 14h": a thing someone set up, taken at its hours
    r"\b(?:a|ont|avait|avaient) (?:rajoute|ajoute|prevu|programme|organise|fixe|cale)e?s? "
    r"(?:une|un|des|encore une|encore un) (?!(?:appel|coup|rdv|rendez|entretien|echange)\b)"
    r"[a-z]{4,}|"
    r"\b(?:la|une|sa|leur) visite (?:de|d|du)\b|\b(?:chaque|tous les) (?:"
    + "|".join(WEEKDAYS) + r")s?\b|"
    # "l'aide ménagère part à 14h30", "mon fils arrive vers 16h": someone else's coming
    # or going at that hour; "mon émission finit à 15h10", "la messe commence à 11h":
    # a thing's own start or end. Told as a reason (never the volunteer's call: the
    # moment asked is beside it)
    r"^(?:(?:et|mais|comme|car|puisque|parce que|parce qu) )?(?:l|le|la|les|mon|ma|mes|son|"
    r"sa|ses|notre|nos) (?!(?:benevole|ecoutante?|equipe|appel)\b)[a-z]{3,}(?: [a-z]{3,})? "
    r"(?:part|partent|repart|repartent|passe|passent|vient|viennent|arrive|arrivent|"
    r"s en va|s en vont|finit|finissent|termine|terminent|se termine|se terminent|commence|"
    r"commencent|debute|debutent|s acheve|s achevent) (?:a|vers) (?:\d{1,2}h|midi)")
# "je préfère passer au foyer samedi", "je viendrai à la permanence lundi": the
# person goes there that day, a wish that is no call (never "passez chez moi")
_GOING_THERE_RE = re.compile(
    r"\b(?:je|j) (?:(?:prefere|prefererais|aime mieux|aimerais mieux|vais|veux|voudrais|compte|"
    r"pense|dois|devrai) )?(?:venir|aller|passer|me rendre|rentrer|entrer|retourner) "
    r"(?:plutot |directement |moi meme )?"
    r"(?:au|a la|a l|aux|chez)\b(?! (?:moi|nous|soi|maison|elle|lui|vous)\b)|"
    r"\bje (?:viendrai|passerai|me rendrai) (?:plutot |directement )?(?:au|a la|a l|aux|chez)\b"
    r"(?! (?:moi|nous|soi|maison|elle|lui|vous)\b)")
_NOT_BEFORE_RE = re.compile(r"\bpas avant\b")
_MOVE_RE = re.compile(r"\b(?:decaler|decale[rz]?|reporter|reportez|repousser|deplacer|"
                      r"empechement|imprevu|changer l heure|changer le jour)\b")
# Words about the messages themselves: an opt-out, never only a cancelled call
# (actions/calls.py). With the words of leaving the service, an opt-out the intent
# reader saw without any of them may be something else (bot/rasa/nlu.py).
_ABOUT_MESSAGES = (r"stop|arret|arrete[rz]?|desinscri\w*|desabonn\w*|messages?|sms|textos?|"
                   r"ecri(?:re|vez|s)|plus rien|plus jamais|laissez moi tranquille|"
                   r"fichez moi la paix")
OPT_OUT_WORDS = re.compile(rf"\b(?:{_ABOUT_MESSAGES})\b")
LEAVING_WORDS = re.compile(
    rf"\b(?:{_ABOUT_MESSAGES}|arret\w*|envoy\w*|recevoir|tranquille|la paix|unsubscribe|"
    r"leave me|supprim\w*|retir\w*|effac\w*|oubli\w*|plus de nouvelles|ne plus)\b")
# "pas de souci", "pourquoi pas", "ça ne me dérange pas": not a refusal.
_HARMLESS_PAS_RE = re.compile(
    # "à 14h15 si ce n'est pas trop compliqué pour vous": a courtesy
    r"\bsi (?:ce n est|c est) pas (?:trop )?(?:complique|difficile|demander|deranger)\b|"
    r"\bpas (?:de |d )?(?:souci|soucis|probleme|problemes|pb|blem|grave|mal)\b|"
    # "je ne me sens pas très bien aujourd'hui": a feeling, not a refusal of the day
    r"\b(?:sens|sent|sentais|suis|sui|vais|va|vas|etais)(?: \w+)? pas (?:tres |trop |tro |"
    r"super |vraiment |tellement |en )?(?:bien|forme|top|terrible|fort|la forme)\b|"
    # "c'est pas facile avec mes gros doigts": a remark, not a refusal
    r"\b(?:c est|c|ce n est) pas (?:tres |si |trop |tjs |toujours )?(?:facile|evident|simple|"
    r"drole|marrant|gai|rigolo)\b|"
    # "slt cv pas trop": how the person is, not a refusal
    r"\b(?:ca va|cv|sa va) pas (?:trop|fort|tres fort|super|terrible|top|bien|tres bien)\b|"
    r"\bsi jamais\b|\bpourquoi pas\b|\bpour (?:ne )?pas\b|"  # "pour pas me réveiller"
    # "samedi c'est mon fils qui passe": who will be there to help with the phone
    r"\b(?:c est|c|ce sera) (?:ma|mon|mes|notre|nos) (?:" + _HELPERS + r") qui (?:vient|"
    r"viennent|viendra|passe|passent|passera|sera la|est la)\b|"
    # "je ne vais pas faire la fine bouche : jeudi 10h ça ira": not picky, a yes
    r"\b(?:vais|va|allons|vas) pas (?:faire|jouer) (?:le |la |les |des |de |d |l )?(?:difficiles?|"
    r"fine bouche|compliquee?s?|manieres|chichis|histoires|capricieu\w*)\b|"
    # "samedi 9h30 s'il n'y a pas de contretemps", "si y a pas un veau qui s'annonce":
    # a condition on the moment, not a refusal of it
    r"\bsi (?:il )?(?:n )?y a pas\b|\bs il (?:n )?y a pas\b|"
    # "samedi à 10h je dis pas non": a yes, said modestly
    r"\b(?:je )?(?:ne )?(?:dis|dirais|dirai) pas non\b|\bje (?:ne )?serais pas contre\b|"
    # "20h pas plus tard, je me couche tôt": the hour asked is the latest, not refused
    r"(?<=\dh )pas plus (?:tard|tot)\b|(?<=\dh\d\d )pas plus (?:tard|tot)\b|"
    # "le 15... non pas le numéro 15, le 15 décembre à 15h": not the number, the date
    r"\bpas (?:le |un |du )?numero\b|"
    # "SAMEDI pas ça me dit, le téléphone m'a mal compris": the words corrected, not
    # the moment refused
    r"\bpas\b(?=[^,.;!?]*\b(?:telephone|portable|correcteur|dictee|micro)\b[^,.;!?]*"
    r"\b(?:mal compris|mal ecrit|mal entendu|a ecrit|a mis|a corrige)\b)|"
    # "lundi à 15h, et que la personne ne parle pas trop vite": how to talk to her
    r"\b(?:parle|parlez|parlent|parler|parlera) pas (?:trop |si |tres )?(?:vite|fort|bas|"
    r"longtemps)\b|"
    # "c'est la seule aprem où je suis pas au dépôt", "le seul jour où je ne travaille
    # pas": the moment free, not a refusal
    # (never "la seule chose que je ne veux pas")
    r"\bseule?s? (?:aprem|apres midi|matinee|matin|soir|soiree|jour|journee|fois|moment|"
    r"creneau|heure|date)(?: \w+){0,3}? (?:ou|que|qu) (?:je |j |il |elle |on )?(?:ne |n )?\w+ "
    r"pas\b|"
    # "elle n'a pas de portable, appelez-la sur son fixe vendredi 11 à 9h": how to
    # call, not a refusal
    r"\b(?:a|ai|as|avons|ont|avait) pas (?:de |d )(?:portable|telephone|tel|mobile|smartphone|"
    r"fixe|ordinateur|ordi|internet|mail|email|tablette)\b|"
    # "le mercredi 23 à 10h avant que ma fille arrive": the call is before someone
    # comes, not a moment taken
    r"\b(?:avant|d ici) (?:que|qu) (?:\w+ ){0,3}?(?:arrive|arrivent|arrivera|vienne|viennent|"
    r"vient|passe|passent)\b|"
    # "je ne voudrais pas rester seule ce jour-là": a wish for company, not a refusal
    r"\b(?:voudrais|veux|voudrai|aimerais|aime) pas (?:rester|etre) (?:toute? )?seule?s?\b|"
    # "pour qu'elle ne soit pas seule": why the call, not a refusal
    r"\b(?:soit|sois|soient|reste|restent) pas (?:toute? )?seule?s?\b|"
    # "je n'ai pas mon calendrier sous les yeux": why a slip, not a refusal
    r"\b(?:ai|a|avais|avait) pas (?:mon|ma|mes|le|la|les|son|sa|ses) (?:calendrier|agenda|"
    r"lunettes|carnet|planning|emploi du temps)\b|"
    # "si c'est pas trop tôt": a courtesy
    r"\bsi (?:c est|ce n est|c|ca (?:ne )?(?:fait|est)) pas (?:trop )?(?:tot|tard|loin|court)\b|"
    # "est-ce que lundi à 20h30 ce n'est pas trop tard pour vos bénévoles ?": a courtesy
    r"\b(?:ce n est|ce ne serait|ce serait|c est|c) pas (?:trop )?(?:tot|tard)\b|"
    r"\b(?:derange|gene|embete|ennuie) pas\b|\bn importe\b|"
    r"\b(?:je |j )?(?:ne )?(?:sais|sait|jsais|jsai|jsé|chais|chai) pas\b|"  # not knowing
    # "comment ça s'est passé": how something went, not someone passing by
    r"\b(?:s est|se|va se|s etait|ca s est) pass\w*\b|"
    r"\bca (?:me )?passe\b|\bpasse[rz]? (?:moi |me )?un coup de fil\b|"
    # "comme ça je lui passe le tel": handing the phone over, not being away
    r"\b(?:lui|leur|vous) passe(?:rai)? (?:le|mon|son) (?:tel|telephone|portable|combine)\b|"
    r"\b(?:ne )?(?:bouge|sors|sort) (?:pas|plus|jamais)(?: (?:de chez moi|de la maison|"
    r"d ici|beaucoup|trop))?\b(?! (?:avant|apres|le|la|ce|cet|cette|entre))")
_CALL_RE = re.compile(
    r"\b(?:m|me|nous|se|s|t|te|on s)\s?(?:appel|apel|rappel|telephon|parl|sappel)|\bappelez|"
    r"\brappelez|\bsappel|\bsapel|\br?app?ell?(?:e|es|ez)? (?:moi|nous)|\bappel\b|"
    # "téléphonez-moi jeudi": the call asked in the other verb
    r"\b(?:re)?telephonez\b|"
    r"\bcoup de fil|\blibre|\bdispo|\bconvien|"
    # "lundi 7 à 20h30, ce n'est pas trop tard pour vos bénévoles ?": a call with them
    r"\b(?:pour|avec) (?:vos|votre|un|une|le|la|les) (?:benevoles?|ecoutante?s?)\b|"
    # "un bénévole pourrait l'appeler dimanche à 15h": a call asked for someone else
    r"\b(?:pourrait|pourriez|peut|pouvez|pourrais|peux|voudrais|faudrait|faut) "
    r"(?:\w+ )?(?:l|la|le|lui|les) ?(?:appeler|telephoner|rappeler)\b|"
    r"\bca me va|\bok\b|\bplutot|"
    # "il faudrait que ce soit avant : demain à 18h": the moment wished
    r"\b(?:il )?(?:faudrait|faut|faudra) que (?:ce|ca|cela) (?:soit|se fasse)\b|"
    r"\bprefer|\bpossible|\bvers\b|\bca marche\b|\bpourriez|\bpouvez|\bon peut|\bfixons|"
    r"\bprevoir|\bprevoyons|\bje (?:vous )?propose\b|\bproposons\b|\bje peux\b|"
    r"\bje pourrai\b|\bje serai la\b|\bca (?:m |me |nous |lui )?ira\b|"
    # "le mieux pour elle serait 14h30"
    r"\ble mieux(?: pour (?:elle|lui|moi|nous))? (?:serait|ce serait|c est|sera)\b|"
    # "j'aimerais bien un bénévole dimanche à 11h"
    r"\b(?:aimerais|aimerai|voudrais|voudrai|souhaiterais|souhaite|veux|voulais)"
    r"(?: bien| beaucoup)? (?:parler a |parler avec )?(?:un|une) (?:benevole|ecoutante?)\b|"
    # "c'est bien mardi à 14h ?": a question about something else
    r"\bc est bien\b(?! (?:le |la |a |au )?(?:\d|demain|ce |cet |cette |"
    + "|".join(WEEKDAYS) + r"))|\bc est bon\b(?! j ai deja)|\bparfait\b|\bca passe\b|"
    r"\bcoup de fil\b|"
    r"\btelephoni\w*|\bapp?ell?\b|\bapel\w*|\bpossib\w*|\barrange\w*|\blapp?el\w*|"
    r"\bparler (?:a|au|aux|avec)\b|"
    r"\b(?:re)?mett(?:ez|re)\b(?<!\bme remettre)(?! (?:de|du|des|d)\b)|"
    r"\bdisons\b|\bessayez\b|\b(?:je )?(?:ne )?(?:dis|dirais|dirai) pas non\b|"
    r"\b(?:faire|faites|fais) (?:moi |nous )?(?:appeler|telephoner|rappeler)\b|"
    # "onze heures, c'est un peu juste ; décalons à quatorze heures"
    r"\b(?:decal|report|repouss|avanc)(?:ons|ez|er)\b|"
    # "non samedi c mieux", "le lendemain ça irait mieux", "on dit demain 18h30"
    r"\bc (?:est )?mieux\b|\bca irait mieux\b|\bon dit\b|"
    # "elle m'a dit dimanche 13 à midi": the moment of the person to be called
    r"\b(?:elle|il) (?:m a dit|a dit|dit|prefere|prefererait|voudrait|aimerait|souhaite)\b|"
    # "est-ce qu'un bénévole pourrait l'appeler samedi": a call for someone else
    r"\b(?:l|les|lui|leur) ?(?:appel|apel|rappel|telephon)\w*|"
    # "Demain 15h pour elle" (a sister booking): the moment of her call
    r"\b(?:\d{1,2}h(?:\d{2})?|midi|matin|soir|apres midi) pour (?:elle|lui|eux|elles)\s*$|"
    # "je voulais vous demander d'être appelée lundi à 15h"
    r"\b(?:etre|soit|soient) (?:r?appelee?s?|contactee?s?)\b|"
    # "Lundi 14 à 11h elle sera prête": ready for the call then
    r"\b(?:je serai|elle sera|il sera|on sera|nous serons) (?:prete?s?|fin prete?s?|"
    r"levee?s?|reveillee?s?|appareillee?s?)\b(?! (?:a|pour|de) )|"
    # "dimanche 11h, il attendra à côté du téléphone": waiting for the call
    r"\b(?:attendra|attendrai|attendrons|attendra|sera|serai|restera|resterai) (?:a cote du|"
    r"pres du|devant le|a cote de son|pres de son|a cote de mon|pres de mon) telephone\b|"
    r"\b(?:ce |ca )?serai[st]? (?:mieux|bien|parfait|ideal|gentil|super|sympa|chouette|top|"
    r"agreable)\b|"
    # "samedi vers 11h ça me ferait plaisir": the moment wished
    r"\b(?:ca|cela) (?:me|nous|lui) (?:ferait|ferais|fera) (?:tres |bien |vraiment |tellement )?"
    r"(?:plaisir|du bien)\b")
# "pas la peine de vous inquiéter", "pas la peine de vous excuser": reassurance, no
# cancellation
_REASSURED = (r" de (?:vous |te |t )?(?:inquiet\w*|en faire|excuser|tracasser|biler|stresser|"
              r"faire du souci|faire de souci|prendre la tete)\b")
# Soft words of calling off, unless an hour follows them closely ("ne vous embêtez pas
# avec l'heure exacte, mardi vers 15h ça ira"): then what is asked is that moment
_NO_HOUR_AFTER = r"(?![^.!?]{0,40}?\b(?:\d{1,2}h\d{0,2}|midi)\b)"
# "supprimez carrément", "effacez tout simplement": a word that makes "delete" stronger
_MADE_STRONGER = (r"(?: (?:donc|carrement|simplement|tout simplement|purement et simplement|"
                  r"finalement|alors|tout|tout ca|ca|le tout))?")
_CANCEL_RE = re.compile(
    # ("laisse béton", the verlan of "laisse tomber")
    r"\b(annul\w*|laiss\w* (?:tomb\w*|beton)\b|"
    r"(?<!ai )(?<!avais )(?<!avait )(?<!jlavais )(?<!javais )(?<!lavais )"
    r"(?<!\bj )(?<!\bje )(?<!\bil )(?<!elle )(?<!\bj l )(?<!\bje l )"
    # ("mon fils a oublié mon anniversaire": someone forgot, nothing called off)
    r"(?<! a )(?<!avait )(?<!avais )(?<! ont )(?<! as )(?<!avez )(?<!avons )"
    # ("la pharmacie a encore oublié mes bas": something someone forgot)
    r"(?<! a encore )(?<! a deja )(?<! ont encore )(?<! ont deja )(?<! a encore une fois )"
    r"oubli(?:e|ez|ons)?\b(?! pas)|"
    # "vous pouvez oublier samedi", "tu peux oublier l'appel" (never "j'essaie
    # d'oublier", "pour oublier mes soucis")
    r"\b(?:pouvez|peux|pourriez|pourrez|pouvons) (?:bien |donc |tout simplement |simplement )?"
    r"oublier (?:demain|ce soir|l appel|cet appel|mon appel|le rdv|le rendez vous|"
    r"le coup de fil|ca|tout ca|(?:ce |le )?(?:" + "|".join(WEEKDAYS) + r"))\b|"
    # "non c'est bon en fait, j'ai quelqu'un à qui parler": no longer needed (never
    # "non c'est bon en fait, plutôt jeudi", a moment given after it)
    r"^(?:(?:ah|oh|bon|euh) )*(?:non|nan) c est bon (?:en fait|finalement)\b"
    r"(?![^.!?]{0,60}?\b(?:\d{1,2} ?h\d{0,2}|midi|demain|apres demain|le \d|"
    + "|".join(WEEKDAYS) + r")\b)|"
    r"au revoir|bonne (?:journee|"
    r"soiree) au revoir|non merci|nan merci|pas (?:pour l instant|pour le moment|maintenant|"
    r"besoin|la peine(?!" + _REASSURED + r")|cette fois|d appel)|plus besoin|"
    # "donc plus d'appel chez lui vendredi, il n'y sera pas": that call is off (never
    # "je n'ai plus d'appel de personne", how lonely the person is)
    r"(?<!\bn ai )(?<!\bn a )(?<!\bn avons )(?<!\bn ont )(?<!\bn y a )(?<!\bn y a jamais )"
    r"(?<!\brecois )(?<!\brecoit )(?<!\bjamais )(?<!\bpas )"
    r"plus d (?:appels?|coup de fil|coups de fil)\b(?! (?:de|du|des|d|que|qu)\b)|"
    r"(?:n ai|j ai) (?:donc |plus |vraiment )?"
    r"besoin de rien|(?:c est |ce n est )?plus la peine|"
    r"je (?:vous )?(?:re)?contacterai|"
    # "pas de dispo finalement, je vous fais signe quand mon planning sera stable"
    r"je vous (?:fais|ferai|ferais|referai) signe\b|"
    r"je (?:vous )?rappellerai\b|je (?:vous )?(?:re)?dirai\b|je (?:vous )?(?:re)?ecrirai\b|"
    r"je (?:ne )?sais pas (?:encore )?quand (?:je|j)|on verra|une autre fois|finalement non|"
    # "ok merci jvais voir" (never "je vais voir ma fille")
    r"(?:je|j) ?vais (?:voir|y reflechir|reflechir)(?= *(?:$|[,.;!?]| merci\b))|je verrai\b|"
    r"(?:je )?retir\w* (?:ma|la|notre) demande|"
    # "vous pouvez décommander", "je vais rien réserver du tout", "je préfère arrêter
    # les appels", "je ne prends rien pour le moment"
    r"\bdecommand\w*|\b(?:je )?(?:ne )?(?:vais|veux) (?:rien|pas) reserver\b|"
    r"\barret\w* (?:les|mes|ces) appels\b|"
    r"\b(?:je )?(?:ne )?prends rien pour (?:le moment|l instant)\b|"
    # "rayez-moi pour samedi", "zappez mercredi", "je me suis ravisée... n'en tenez pas
    # compte", "ça sert à rien en fait laissez", "bon on va dire non en fait", "je
    # préfère pas en fait tant pis", "gardez plutôt ce créneau pour quelqu'un d'autre"
    r"\bray(?:e[rz]?|iez)\b|\bzapp?(?:e|ez|er)\b|\bravise\w*|\bn en (?:tenez|tiens) pas compte\b|"
    # "votre appel, ça ne va pas pouvoir se faire", "n'en faites rien", "ni l'un ni
    # l'autre", "je ne serai pas joignable.", "nan en fait nan"
    r"\b(?:ca|cela) ne (?:va|pourra|peut) pas (?:pouvoir )?se faire\b|\bn en faites rien\b|"
    r"\bni l un ni l autre\b|"
    # "je vais me débrouiller", "je renonce", "n'appelez pas", "je me suis arrangée
    # autrement", "ne vous dérangez pas", "inutile de m'appeler", "je décline", "je me
    # rétracte", "merci mais non", "c'est mort", "je préfère pas être appelée"
    r"\bje (?:vais me|me) debrouill\w*|\brenon(?:ce|cer|cons)\b|"
    r"\b(?:ne |n )(?:m |me )?(?:app?ell?\w*|rappel\w*|telephon\w*) pas\b"
    r"(?! (?:avant|apres|le matin|le soir|trop|entre|a |au |pendant|ce |cet |cette |le |la |"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|\d))|"
    r"\bje (?:me )?(?:suis|sommes) arrange\w* autrement\b|\bne vous derangez pas\b|"
    # "mercredi je serai en cure, inutile d'appeler"
    r"\binutile (?:de |d )(?:essayer de |chercher a )?(?:m |me |nous |l |le |la |les |lui )?"
    r"(?:app?ell?\w*|rappel\w*|"
    r"telephon\w*)|"
    r"\bdispens\w* (?:vous )?de (?:m |me )?(?:app?ell?\w*|rappel\w*|telephon\w*)|"
    r"\bje (?:vais )?declin\w*|\bme retract\w*|\bmerci mais non\b|"
    r"\bc (?:est )?mort\b(?= *(?:$|[,.;!?]))|"
    # "en fait non c mort jsuis de garde": the reason follows, in the first person
    r"\bc (?:est )?mort (?=(?:je|j|jsuis|jai|g|on|desole|dsl|pour moi)\b)|"
    r"\bje retire\b(?= *(?:$|[,.;!?]))|"
    # "nan c mort pour mardi", "c'est mort pour demain": that call is off
    r"\bc (?:est )?mort pour (?:demain|aujourd hui|ce soir|cet apres midi|ce|cette|le|la|l|"
    + "|".join(WEEKDAYS) + r")\b|"
    # "vendredi non il ne faut pas m'appeler", "ni demain ni un autre jour"
    r"\b(?:il )?ne faut pas (?:m |me |nous |l |la |le )?(?:appeler|rappeler|telephoner)\b"
    r"(?! (?:avant|apres|le matin|le soir|l apres midi|trop|entre|a \d|vers|au |pendant|\d))|"
    r"\bni (?:un autre|une autre|aucun|aucune|d autres?) (?:jour|moment|date|fois|heure)s?\b|"
    r"\bca ira finalement\b|\b(?:je (?:ne )?|j ?)prefere(?:rais)? pas (?:etre )?(?:appele\w*|"
    r"qu on m appelle|que vous m app?ell?iez|d appel|(?:l |cet |un |d un )?appel\b)|"
    r"\bje ne serai pas joignable(?= *(?:$|[,.;!?]| je vous))|"
    r"\ben fait (?:non|nan)\b(?= *(?:$|[,.;!?]|merci|non|nan))|"
    # "ah bah non finalement.", "oh non tout compte fait": the yes taken back, alone
    r"\b(?:non|nan) (?:en fait|enfait|finalement|tout compte fait|reflexion faite)"
    r"(?= *(?:$|[.;!]))|"
    # "je ne prendrai pas l'appel", "je prends pas ce coup de fil finalement"
    r"\bje (?:ne )?(?:(?:prends|prendrai|prendrais) pas|vais pas prendre) "
    r"(?:l |cet |votre |le |ce )?"
    r"(?:appel|coup de fil)\b|"
    r"\bne (?:tenez|tiens) pas compte\b|"
    r"\bca (?:ne )?sert a rien(?= *(?:$|[,.;!?]| en fait| finalement| laiss\w*))|"
    # "ça ne sert à rien qu'on me téléphone demain", "cela sert à rien de l'appeler ce
    # soir": the call is of no use (never a bound: "... de m'appeler avant 10h")
    r"\b(?:ca|cela) (?:ne )?sert (?:a )?rien (?:de |d |qu on |que vous |qu il |qu elle )"
    r"(?:m |me |nous |l |la |le |lui )?(?:app?ell?\w*|rappel\w*|telephon\w*)\b"
    r"(?! (?:avant|apres|le matin|le soir|l apres midi|trop|entre|a \d|vers|au |pendant|\d))|"
    r"\bon va dire non\b|\bpas d autre (?:jour|moment|date) (?:non plus|non merci)\b|"
    r"\bje (?:vous )?(?:reviendrai|recontacterai|reecrirai) (?:vers vous )?quand\b|"
    r"\bje (?:ne )?prefere pas(?= *(?:$|[,.;!?]| en fait| finalement| merci| "
    r"tant pis))|\ben fait laiss(?:e|ez)\b|"
    r"\bgardez (?:plutot )?(?:ce|le|mon|cet) (?:creneau|appel|moment|horaire) pour\b|"
    # "je dois me décommander", "ce ne sera pas nécessaire finalement", "on laisse
    # pour cette fois", "suprimer le rdv", "anuller lundi"
    # "laissez c'est inutile, mon fils est passé" (never "je me sens inutile")
    # "déprogrammez mardi svp"
    r"decommand\w*|deprogramm\w*|desist\w*|"
    r"(?:c est|c|ce sera|ca sera|ce serait) (?:bien )?inutile\b"
    r"(?! (?:de vivre|a tout|a rien))|"
    r"(?:ce ne sera|ce n est|c est|ca ne sera|ca sera) (?:plus |pas |finalement )*"
    r"(?:necessaire|utile)|\bpas (?:la peine(?!" + _REASSURED + r")|necessaire)|"
    r"(?:on|nous) laiss\w* (?:pour cette fois|"
    r"pour le moment|tomber|pour l instant)|laissons (?:pour cette fois|tomber)|"
    # "toute la famille est là ce week-end, tant pis pour cette fois": given up
    r"\btant pis pour (?:cette fois|ce coup ci|cette semaine|ce week end|l appel)\b|"
    r"\ban+ul+\w*|su+p+rim\w* (?:l |le |la |cet |ce |mon |ma |notre )?(?:appel|apel|rdv|"
    r"rendez vous|coup de fil|coup de telephone)|"
    # "de 8h à 21h, bon merci, c'était pour savoir": a question, not a request
    r"(?:c etait|c est) (?:juste |seulement )?pour (?:savoir|info|me renseigner)|"
    r"juste pour savoir|"
    # "mardi je commence travail nouveau. Pas appel." (a second language)
    r"non ca ira|ca ira merci|pas d appel|"
    # "non, pas de coup de fil pour le moment" (never "pas de coup de fil de ma fille",
    # "je n'ai pas de coup de fil en ce moment")
    r"(?<!\bn ai )(?<!\bn a )(?<!\bn y a )(?<!\bn avons )(?<!\bn ont )(?<!\brecois )"
    r"(?<!\brecoit )(?<!\beu )\bpas de (?:coups? de fil|coups? de telephone)\b"
    r"(?! (?:de|du|des|d)\b)|\bpas appel\b|pas d autre appel|veux plus|"
    r"veux pas d appel|"
    r"je (?:ne )?veux pas (?:etre )?appele|"
    # "je ne désire plus être contactée samedi": no longer wished (never a bound: "je
    # ne souhaite pas être appelée avant 10h")
    # ("il ne veut plus être appelé demain": said for someone else)
    r"\b(?:je|il|elle|on|ils|elles) (?:ne )?(?:souhaite|souhaitent|desire|desirent|veux|veut|"
    r"veulent) plus (?:etre )?(?:r?appelee?s?|contactee?s?)\b"
    r"(?! (?:avant|apres|le matin|le soir|trop|entre|a \d|vers|\d))|"
    # "stop pour l'appel de vendredi", "retirez l'appel", "ah non laissez"
    r"stop (?:pour |a )?(?:l |cet |ce |le |mon )?(?:appel|rdv|rendez vous)|"
    # "stop pour mardi", "stop pour demain": that day's call is off (said alone: never
    # "stop pour mardi, plutôt jeudi")
    r"^(?:(?:ok|bon|non|alors) )?stop (?:pour |a )?(?:demain|ce soir|le \d{1,2}|(?:"
    + "|".join(WEEKDAYS) + r"))\b(?= *(?:$|[,.;!?] *(?:merci|svp|s il vous plait|desole\w*|"
    r"pardon)?\W*$))|"
    # "l'appel de samedi, ce n'est plus possible": that call cannot be
    r"(?:appel|rdv|rendez vous|coup de fil)\b[^.?!]{0,40}\b(?:ce n est|c est|ca n est|"
    r"ca ne sera|ce ne sera|ca sera) (?:donc |finalement |malheureusement )?plus possible\b|"
    # ("effacez donc mon coup de fil", "supprimez-moi cet appel")
    r"(?:retire|enleve|supprime|eff?ace|zapp?e)[rz]? (?:moi |nous |donc )?"
    r"(?:l |cet |ce |le |mon |notre )?(?:appel|rdv|rendez vous|coup de fil)\b|"
    # "Supprimez-le, je me suis trompée de semaine": the call just talked about
    r"^(?:(?:ah|oh|bon|non|euh) )*(?:supprim|retir|enlev|eff?ac)(?:ez|e|er) (?:le|la)\b|"
    # "merci de l'enlever", "je vous demande de le retirer": the call talked about
    r"\b(?:merci de|je vous (?:demande|prie) de|veuillez|vous pouvez|pouvez vous|pourriez vous|"
    r"vous pourriez) (?:bien vouloir )?(?:(?:l|le) (?:enlever|retirer|supprimer|annuler|effacer|"
    r"decommander)\b|"
    # ("merci de retirer.", the call talked about left unsaid, said alone)
    r"(?:enlever|retirer|supprimer|effacer|decommander)"
    r"(?= *(?:$|[,.;!?]| svp| merci| s il vous plait)))|"
    # "l'appel de samedi, il faut l'enlever"
    r"(?:appel|rdv|rendez vous)\b[^.?!]{0,40}\b(?:l|le) (?:enlever|retirer|supprimer|annuler|"
    r"decommander)\b|"
    # "le coup de fil du 21, on l'enlève", "l'appel de lundi, je le retire" ("on le
    # supprime" is left to the learnt reader, bot.calls.cancel_reader)
    r"(?:appel|rdv|rendez vous|coup de fil)\b[^.?!]{0,40}\b(?:on|je|vous|nous) (?:l|le) "
    r"(?:enlev|retir)(?:e|ez|ons)\b|"
    # "l'appel de mercredi n'a plus lieu d'être", "le coup de fil n'aura pas lieu"
    # (not "n'a pas lieu" alone: someone else's cancellation reads so, see SMS_WORDS)
    r"(?:appel|rdv|rendez vous|coup de fil)\b[^.?!]{0,40}\b(?:n a|n aura) "
    r"(?:donc |finalement |vraiment |alors )?(?:plus|pas) lieu d etre\b|"
    # "on laisse le 9 de côté", "laissons l'appel de samedi de côté": that call is off
    # (never "je laisse mes soucis de côté")
    r"\blaiss\w* (?:le \d{1,2}|l appel|cet appel|ce rdv|le rdv|le rendez vous|le coup de fil|"
    r"(?:" + "|".join(WEEKDAYS) + r"|demain))\b[^.?!,]{0,25}? de cote\b|"
    r"\blaiss\w* de cote (?:le \d{1,2}|l appel|cet appel|le rdv|le rendez vous|le coup de fil|"
    r"(?:" + "|".join(WEEKDAYS) + r"|demain))\b|"
    # "je crois qu'on va s'en passer", "on s'en passera" (never "je ne peux pas m'en
    # passer")
    r"\b(?:on|je|nous|elle|il) (?:va|vais|peut|peux|pourra|allons|pourrait) (?:bien )?"
    r"(?:s|m|se|me|nous) en passer\b|\b(?:on s|je m|nous nous) en passera\w*|"
    # "mercredi je peux pas. pas appeler s'il vous plaît" (a second language); never
    # "je peux pas appeler" (the person cannot call)
    r"(?<!peux )(?<!peut )(?<!pouvez )(?<!sais )(?<!ose )(?<!oser )(?<!arrive )(?<!veut )"
    r"(?<!fait )\bpas (?:m |me )?appeler\b(?= *(?:$|[,.;!?]|s il vous plait|svp|stp|merci))|"
    r"(?:non|nan) laiss(?:e|ez|er)\b(?! (?:moi|un message))|"
    r"(?:je prefere|je prefererais) (?:appeler|telephoner) moi meme|"
    # "elle dit de ne pas l'appeler samedi", "il ne sera point nécessaire", "il ne
    # voulait plus de l'appel", "laissez faire" (Quebec), "j'ai changé d'avis",
    # "on ne fixe rien"
    r"\b(?:dit|demande|prefere|faut|vaut mieux|merci) (?:de |d )?ne pas "
    r"(?:l |la |le |m |me |nous )?"
    r"(?:appeler|rappeler|telephoner)\b(?! (?:avant|apres|le matin|le soir|l apres midi|trop|"
    r"entre|a \d|vers|au |pendant|\d))|"
    r"\bpoint (?:necessaire|utile|besoin)\b|\bne (?:sera|serait|est) point\b|"
    r"\b(?:veux|veut|voulait|voudrait|voulons|voulaient) (?:plus|pas) (?:de |d )?"
    r"(?:l |cet |son |mon |ce |votre )?appel\b|\blaiss(?:ez|e) faire\b(?= *(?:$|[,.;!?]| c est))|"
    r"\b(?:j ai|g|jai) change d avis\b|"
    r"\bon (?:ne )?fixe rien\b|\bne fixons rien\b|"
    # "...à 19h le journal, non franchement je n'ai pas le temps cette semaine, merci"
    r"\b(?:je n ai|j ai|j ai vraiment|je n ai vraiment) pas (?:trop |vraiment )?le temps"
    r"(?: cette semaine| en ce moment| ces temps ci| pour (?:ca|un appel|les appels))?"
    r"(?= *(?:$|[,.;!?]| merci))|"
    # "ne mettez rien", "ne retenez rien pour le moment"
    r"ne (?:mettez|retenez|notez|prevoyez|programmez|reservez|fixez|gardez) rien|"
    # "je voudrais suspendre tout ça", "ce n'est plus d'actualité", "on arrête là pour
    # l'appel", "Supprimez, je verrai après", "je vous recontacte après les fêtes"
    r"\bsuspend\w* (?:tout|l appel|les appels|le rendez vous|le rdv|ca)\b|"
    r"\b(?:ce n est|c est|n est|ce ne sera|ca n est) plus d actualite\b|"
    r"\barret\w* la (?:pour|avec) (?:l |cet |ce |le |mon |les )?(?:appels?|rdv|rendez vous)\b|"
    r"\b(?:on )?arret\w* (?:l |cet |ce |le |mon |les )(?:appels?|rdv|rendez vous)\b|"
    r"(?:^|[.,;!?] *)(?:(?:ah|oh|bon|non|euh|donc) )*(?:supprim|retir|enlev|eff?ac)(?:ez|e)\b"
    # ("supprimez carrément", "effacez tout simplement": the word alone, made stronger)
    + _MADE_STRONGER +
    r"(?= *(?:$|[,.;!?]| svp| merci| s il vous plait))|"
    # "je préfère qu'on n'appelle pas samedi. Merci quand même.": thanks for nothing more
    r"\bmerci quand meme\b(?= *(?:$|[,.;!?]))|"
    # "c'est tombé à l'eau pour lundi", "je crois que je vais m'abstenir"
    r"\b(?:c|c est|ca|ca est|tout est|tout ca est) (?:finalement )?tombe a l eau\b|"
    r"\b(?:je )?(?:vais |prefere |prefererais )?m abst(?:enir|iens|iendrai\w*)\b(?! de)|"
    r"\bje vous (?:re)?contacte (?:apres|plus tard|quand|a la rentree|l an prochain|"
    r"l annee prochaine|dans)\b|"
    # Put off with no day: "on remet ça à plus tard", "il vaut mieux reporter sine
    # die", "repoussons à une date ultérieure" (with a day it is a move: "on remet à
    # plus tard, disons jeudi 15h" books Thursday)
    r"\b(?:remet\w*|report\w*|repouss\w*|decal\w*|differ(?:er|ons|ez|e))(?: (?:ca|cela|"
    r"tout ca|tout|l appel|cet appel|notre appel|mon appel|le rdv|le rendez vous|le coup de fil|"
    r"la conversation|le tout))? (?:a plus tard|sine die|a une date ulterieure|"
    r"a (?:une )?autre fois|(?:a )?un autre jour|a une autre date|a un autre moment|"
    r"a des jours meilleurs|aux calendes grecques|"
    r"a la saint glinglin|indefiniment|pour l instant|pour le moment)\b"
    r"(?![^.!?]{0,30}\b(?:\d{1,2}h|midi|demain|apres demain|le \d|" + "|".join(WEEKDAYS)
    + r")\b)|"
    # Leaving it there: "je préfère qu'on en reste là", "restons-en là", "on arrête là"
    r"\b(?:on en reste|on en restera|en rester|restons en|en restons|on va en rester) la\b"
    + _NO_HOUR_AFTER + "|"
    r"\b(?:qu on|on|nous) (?:arrete|arretera|arretons|va arreter) la\b(?= *(?:$|[,.;!?]| merci| "
    r"pour| avec| finalement| alors| du coup))" + _NO_HOUR_AFTER + "|"
    r"\barretons la\b(?= *(?:$|[,.;!?]| merci))" + _NO_HOUR_AFTER + "|"
    # Not worth the trouble: "pour mardi, ne vous embêtez pas finalement", "vous
    # embêtez pas avec ça", "ne vous donnez pas cette peine" ("ne vous inquiétez pas,
    # mardi 15h ça me va" is reassurance, not a cancellation)
    r"\b(?:ne )?vous (?:embetez|ennuyez|tracassez|fatiguez|cassez pas la tete|"
    r"donnez pas (?:cette|la) peine)\b(?: pas)?" + _NO_HOUR_AFTER + "|"
    # The moment given to someone else: "donnez ce moment à quelqu'un d'autre",
    # "laissez ma place à une personne plus seule", "gardez votre bénévole pour ceux
    # qui en ont besoin"
    r"\b(?:donn|gard|laiss|offr|pass|ced|reserv|propos|attribu|consacr)\w* (?:plutot |donc |"
    r"bien )?(?:ce|le|mon|cet|cette|ma|la|votre|vos|l|mes|ces|son|sa) ?(?:creneau|appel|moment|"
    r"horaire|place|coup de fil|rendez vous|rdv|benevole|temps|tour|heure)s? (?:\w+ ){0,3}?"
    r"(?:a|pour|aux) (?:quelqu un|qqn|une autre personne|d autres|une personne|des personnes|"
    r"ceux|celles|les autres|autres|autrui|plus seule?s?|plus isolee?s?|des gens|une dame|"
    r"un monsieur|"
    r"qui en (?:a|ont|aurait|auraient) (?:plus|davantage|vraiment) besoin)\b" + _NO_HOUR_AFTER
    + "|"
    # Done without the call: "je crois que je vais me passer de l'appel de samedi", "je
    # me passerai de votre coup de fil" (never "je ne peux pas me passer de l'appel")
    r"(?<!\bpas )(?<!\bplus )(?<!\bjamais )\b(?:me|m|nous|s|se) passer(?:ai|ons|a)? "
    r"(?:de l|de cet|de votre|de ce|de mon|de notre|du) (?:appels?|coup de fil|rdv|"
    r"rendez vous|benevole)\b|"
    # Talked of again later, no moment given: "finalement non, on en reparlera plus
    # tard", "on se reparle après les fêtes" (never after an hour in the message:
    # "mardi 15h ça me va, on en reparlera", nor with a day: "on en reparle jeudi")
    r"^(?:(?!\b\d{1,2} ?h|\b\d{1,2} heures?\b|\bmidi\b).)*?"
    r"\b(?:on|nous) (?:en |se |s en )?reparl(?:e|era|erons|ons|erait)\b"
    r"(?! (?:demain|apres demain|" + "|".join(WEEKDAYS) + r"|le \d))" + _NO_HOUR_AFTER + "|"
    # "Vendredi, ce sera sans moi", "faites sans moi": the person will not be there
    r"\b(?:ce sera|ca sera|ca se fera|ce sera donc|faites|faudra faire) sans (?:moi|nous|elle|"
    r"lui)\b(?= *(?:$|[,.;!?]| merci| finalement| alors))|"
    # "personne va décrocher ce soir, laissez courir": nobody to answer, let it go
    r"\blaiss(?:ez|e|er|ons) courir\b|\bpersonne (?:ne )?(?:va|pourra|sera la pour) "
    r"(?:decrocher|repondre)\b|"
    # "mettez-le de côté", "mettez cet appel de côté": the call put aside
    r"\bmett(?:ez|ons|re) (?:le|la|l|ca|cet appel|l appel|ce coup de fil|le coup de fil|"
    r"le rdv|ce rdv) de cote\b|"
    # "dsl jpp finalmt", "je peux pas en fait": the person cannot after all
    r"\b(?:jpp|jpeux pas|je peux pas|je ne peux pas|je pourrai pas|je ne pourrai pas|"
    r"j pourrai pas|jpourrai pas) (?:finalement|en fait)\b(?= *(?:$|[,.;!?]))"
    # (never "je pourrai pas en fait, on peut décaler ?": a move asked, read elsewhere)
    r"(?![^.!?]*\b(?:decal\w*|report\w*|deplac\w*|repouss\w*|plutot|autre (?:jour|moment|"
    r"heure|fois))\b)" + _NO_HOUR_AFTER + "|"
    # The moment handed back: "votre jeudi, je vous le rends", "je vous rends votre
    # créneau" (never "vous m'aidez, je vous le rends bien")
    r"\bje vous (?:le|la|l) rend(?:s|rai)?\b(?! bien)" + _NO_HOUR_AFTER + "|"
    r"\bje vous rend(?:s|rai)? (?:votre|le|l|ce|cet|mon|ma) (?:creneau|appel|rdv|rendez vous|"
    r"place|heure|moment|coup de fil|" + "|".join(WEEKDAYS) + r")\b" + _NO_HOUR_AFTER
    + ")")
_ACCEPT_RE = re.compile(
    r"^(?:(?:ah|bon|alors|euh|ben|bah|eh bien|hmm|mais|tres|inchallah|inch allah) )*"
    r"(?:oui|ouais|ouai|oue|ui|wi|yes|ok|okay|oki|d accord|dac|dacc|daccord|parfait|super|"
    r"tres bien|c est (?:tres |tout a fait |bien )?bien|ca marche|ca me va|ca me convient|"
    r"ca (?:m )?irait|c est bon|c est parfait|"
    r"entendu|c est entendu|va bien|bien sur|volontiers|nickel|top|impeccable|genial|cool|go|"
    r"c est d accord|ca roule|va pour|allons y|je prends|banco|pourquoi pas|sure|of course|"
    r"avec plaisir|avec grand plaisir|"
    r"why not)\b|"
    # "ma mère est d'accord", "elle veut bien": a yes for the person to be called
    r"^(?:(?:ma|mon|notre) \w+|elle|il) (?:est|sont) (?:d accord|partante?|ok)\b|"
    r"^(?:(?:ma|mon|notre) \w+ |elle |il )?(?:veut|voudrait) bien\b")
_ANY_TIME_RE = re.compile(
    r"\b(?:l heure que vous voulez|l heure qui vous (?:va|arrange|convient)|quand vous voulez|"
    r"comme vous (?:voulez|voudrez|preferez|jugez|le sentez)|comme tu veux|quand tu veux|"
    r"peu importe|n importe (?:quand|quelle heure|quel jour)|a votre convenance|ce que vous voulez|"
    r"ce qui vous arrange|je m adapte|quand (?:ca|cela) vous arrange|j ai tout mon temps|"
    r"ca m est egal|m est egale?|peu m importe|ca m importe peu|toute la journee|"
    # "L'heure, je m'en fiche, je ne bouge pas de chez moi"
    r"(?:l heure|le jour|l horaire),? (?:je m en fiche|je m en moque|ca m est egal)|"
    r"je suis toujours la|a toute heure|"
    # "je suis libre presque tout le temps sauf mardi": any moment but those refused
    r"(?:libre|dispo\w*) (?:presque |quasiment |a peu pres )?(?:tout le temps|toute la semaine|"
    r"tous les jours|n importe quand))\b")
_DELEGATED_RE = re.compile(
    r"\b(?:choisissez|choisis|c (?:est )?vous qui (?:voyez|choisissez|decidez)|faites comme vous "
    r"(?:voulez|pouvez)|je vous laisse (?:choisir|decider|voir)|a vous de (?:voir|choisir))\b")
_NO_START_RE = re.compile(r"^(?:(?:ah|bon|euh|ben|bah|alors) )*(?:non|nan|nn|no|nope)\b")
_DECLINE_RE = re.compile(
    r"^(?:non|nan|nn|no|nope|non non|pas vraiment|bof|ca va pas|ca ne va pas|ca me va pas|"
    r"ca ne me va pas|pas possible|impossible|pas ce jour la|pas a cette heure la|"
    r"ca m arrange pas|ca ne m arrange pas|pas terrible)$")
# "à demain", "bonne soirée", "bon week-end": a farewell, not a moment (unless an
# hour follows: "à demain 10h").
_FAREWELL_RE = re.compile(
    r"\b(?:a (?:demain|ce soir|tout a l heure|tout de suite|plus tard|bientot|la prochaine|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|la semaine prochaine)|"
    r"(?:bonne|belle) (?:soiree|journee|apres midi|nuit|matinee|semaine|fin de journee|"
    r"fin de semaine)|bon (?:apres midi|week end|weekend|dimanche|samedi|debut de semaine|"
    r"lundi)|bonsoir|bonjour|bonne nuit)\b(?!\s*(?:a |vers |pour )?\d)")
_MOVED_TO_RE = re.compile(
    r"\b(decal\w*|report\w*|repouss\w*|deplac\w*|avanc\w*|mett\w*|chang\w*|r?appel\w*|"
    r"plutot|passer) a (lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|"
    r"la semaine prochaine)\b")
# Check-in times and pauses have their own words: not a call.
_CHECKIN_RE = re.compile(
    r"\b(?:message|messages|sms|texto|textos|reveil|reveiller|reveillez|coucou du|"
    r"bonjour du matin|pause|vacances|je pars|je serai absente?|absent|"
    r"jusqu (?:au|a (?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|la fin|mon|ma|"
    r"nouvel|demain|la semaine)))\b")
_SAME_HOUR_RE = re.compile(r"\b(?:meme heure|a la meme heure|pareil pour l heure|"
                           r"(?:" + "|".join(WEEKDAYS) + r"|demain) pareil|"
                           r"meme horaire|a cette heure la|a cette heure ci|a cet horaire la)\b")
# ("d'aujourd'hui en huit, à cette heure-ci", "à l'heure qu'il est": now's hour)
_SAME_HOUR_AS_NOW_RE = re.compile(r"\ba cette heure ci\b|\ba l heure qu il est\b|"
                                  r"\bmeme heure (?:qu aujourd hui|que maintenant|"
                                  r"qu en ce moment|qu a present)\b")
_WEEKDAY_WORD_RE = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r")\b")
# "mardi à la même heure, est-ce possible ?": the moment is asked in its own clause.
_ASKING_RE = re.compile(r"\b(?:est ce possible|c est possible|ce serait possible|"
                        r"ca vous (?:va|irait)|est ce que (?:ca|c est) (?:possible|bon))\b")
# A moment taken back later in the same message, in so many words.
_TAKEN_BACK_RE = re.compile(
    r"\b(?:annul\w*|laiss\w* tomb\w*|oubli(?:e|ez) (?:ca|tout|le|la)|finalement non|"
    r"en fait non|ne (?:mettez|retenez|notez|prevoyez|programmez|reservez|fixez|gardez) rien|"
    # "votre appel du vendredi 18 à 10h, rayez-le", "pour le coup de fil de jeudi 16h,
    # ce n'est plus la peine", "je n'en aurai pas besoin de cet appel. Mettez-le de
    # côté": the call struck out, put aside, no longer needed
    r"raye[rz]? (?:le|la|l)|mett(?:ez|ons) (?:le|la|l|cet appel|l appel|ce coup de fil) de cote|"
    r"(?:ce n est|c est|c) plus (?:la peine(?!" + _REASSURED + r")|necessaire|utile)|"
    r"n en (?:aurai|aurais|ai) (?:plus |pas |vraiment pas )?besoin)\b")
# "le lendemain de ce rendez-vous": a day told from another one
_RELATIVE_DAY_RE = re.compile(r"\b(?:lendemain|surlendemain|veille|avant veille)\b")
_AFTER_LUNCH_RE = re.compile(
    r"\bapres (?:le |mon |ma |la |avoir )?(?:repas|dejeuner|dej|manger|mange|midi|sieste|"
    r"la sieste)\b")
_TODAYS_WEEKDAY_RE = re.compile(
    r"\b(?:le )?(?:meme jour|jour meme) (?:qu aujourd hui|que ce jour)\b")
_SAME_DAY_RE = re.compile(r"\b(?:meme jour|le meme jour|ce jour la|ce jour)\b")
# "ce soir-là", "ce dimanche-là", "ce même lundi": the day talked about just before
_THAT_DAY_RE = re.compile(
    r"\b(?:ce|cet|cette) (?:meme )?(?:jour|soir|matin|apres midi|matinee|soiree|"
    + "|".join(WEEKDAYS) + r") la\b(?=\s*$|\s*[,.;:!?]|\s+(?:a|vers|pour|on|je|j|vous|svp|si|"
    r"c|ca|appel\w*|de|des|du|au|entre|plutot|quand|me|m|pourriez|pouvez)\b)|"
    r"\b(?:ce|le|la) meme (?:jour|soir|matin|apres midi|" + "|".join(WEEKDAYS) + r")\b")


@dataclass(frozen=True)
class CallTime:
    """What was understood."""

    status: str
    at: Optional[datetime] = None
    proposal: Optional[datetime] = None


@dataclass(frozen=True)
class Proposal:
    """What one message says about the moment of a call."""

    day: Optional[date] = None
    hour: Optional[dtime] = None
    part: Optional[dtime] = None
    relative: Optional[datetime] = None
    refused_hours: Tuple[dtime, ...] = ()
    refused_days: Tuple[date, ...] = ()
    # moments taken on one day only ("demain j'ai l'audience à 10h"), as
    # "YYYY-MM-DD HH:MM", when no day is asked in the same message
    refused_at: Tuple[str, ...] = ()
    # the day of a moment told as taken ("demain j'ai le médecin à 14h"): the day
    # talked about, for an hour that comes after it
    talked_day: Optional[date] = None
    # "semaine prochaine", "jeudi prochain": the week named is the next one
    week_ahead: bool = False
    # the day is a weekday said alone ("le vendredi"), taken as the next one
    bare_weekday: bool = False
    # "celui de la semaine prochaine": the weekday talked about, in the next week
    that_one_next_week: bool = False
    same_hour: bool = False
    # the hour that "même heure" took is that of something taken ("mardi il a le
    # neurologue à 8h30. Mercredi même heure"): the call's hour talked about wins
    others_hour: bool = False
    same_day: bool = False
    # "une heure plus tard", "une demi-heure plus tôt", "avancer d'une heure": the
    # hour talked about, moved by these minutes
    hour_shift: Optional[int] = None
    # a clause of the message is about the check-in messages or a pause ("vous
    # m'envoyez bien le message ce soir ?"): its moment is not the call's
    checkin_said: bool = False
    accept: bool = False
    any_time: bool = False
    delegated: bool = False  # "choisissez vous-même": the moment is left to the team
    guessed: bool = False
    asked: bool = False  # the moment is asked for (a call word, or nothing but it)
    unavailable: bool = False  # "je ne pourrai pas", "on peut décaler ?": not just a no
    decline: bool = False
    cancel: bool = False
    past: bool = False
    # "je rentre vers 11h", said alone: the hour the person is back (busy before it)
    back_at: Optional[dtime] = None

    @property
    def positive(self) -> bool:
        """Whether a moment (a day, an hour, a part of the day) is wished."""
        # "ma fille vient ce jour-là" is a reason, not a moment: the same day counts
        # only with an hour ("le même jour à 15h").
        return any(v is not None for v in (self.day, self.hour, self.part, self.relative,
                                           self.hour_shift)) \
            or (self.same_hour and not self.cancel)


def fold(text: str) -> str:
    """Lower case, no accents, apostrophes and hyphens as spaces, single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", " ").replace("'", " ").replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


_ENGLISH_NUMBERS = {w: i + 1 for i, w in enumerate(
    ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
     "twelve"))}


# Simple English from people without French ("can you call me tomorrow at 3pm",
# "make it 2pm instead"): only words French messages do not use.
ENGLISH_WORDS = (
    # "Saturday 9 a.m.?"
    (r"(?<=\d) ?a\.m\b\.?", "am"), (r"(?<=\d) ?p\.m\b\.?", "pm"),
    # "can we make it 11 instead?": an hour, not the 11th
    # ("make that 11, the nurse comes at 10": the same)
    (r"\bmake (?:it|that) (\d{1,2})\b(?![:h/.\d]| ?(?:am|pm)\b)", r"plutot a \1h"),
    # "half two", "half four" (British): half past that hour
    (r"\bhalf (one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
     r"(?! (?:an|a|past|hours?|of|the)\b)", lambda m: f"{_ENGLISH_NUMBERS[m.group(1)]}:30"),
    # "at half past two in the afternoon": the hour in words as digits
    (r"\b(half past|quarter past|quarter to|at|around|about|by) (one|two|three|four|five|six|"
     r"seven|eight|nine|ten|eleven|twelve)\b",
     lambda m: f"{m.group(1)} {_ENGLISH_NUMBERS[m.group(2)]}"),
    (r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (o ?clock|thirty|"
     r"fifteen|forty five|pm|am)\b", lambda m: f"{_ENGLISH_NUMBERS[m.group(1)]} {m.group(2)}"),
    (r"\b(\d{1,2}) thirty\b", r"\1:30"), (r"\b(\d{1,2}) fifteen\b", r"\1:15"),
    (r"\b(\d{1,2}) forty five\b", r"\1:45"),
    (r"\bhalf past (\d{1,2})\b", r"\1:30"), (r"\bquarter past (\d{1,2})\b", r"\1:15"),
    # "quarter to five": a quarter before that hour (4:45)
    (r"\bquarter to (\d{1,2})\b(?![:.h]?\d)",
     lambda m: f"{(int(m.group(1)) - 1) or 12}:45" if 1 <= int(m.group(1)) <= 12 else m.group(0)),
    # "between 2 and 4pm", "between 5 and 7 in the evening": a window of hours
    (r"\bbetween (\d{1,2})(?: ?(?:am|pm))? and (\d{1,2})(?: ?(am|pm))?\b",
     lambda m: "entre {}h et {}h".format(
         *(int(g) % 12 + 12 if m.group(3) == "pm" else int(g) for g in m.group(1, 2)))),
    (r"\b(\d{1,2})(?:[:.h](\d{2}))? ?pm\b",
     lambda m: f"{int(m.group(1)) % 12 + 12}h{m.group(2) or ''}"),
    (r"\b(\d{1,2})(?:[:.h](\d{2}))? ?am\b",
     lambda m: f"{int(m.group(1))}h{m.group(2) or ''}"),
    # "the carer is there at 10", "her nurse comes at 9": someone who comes, at their hour
    (r"\b(?:the|her|his|my|our) (?!(?:best|call|time|moment|slot|volunteer)\b)(\w+) "
     r"(?:is (?:there|here|round|over|in|with (?:her|him|me|us))|s (?:there|here|round|over)|"
     r"comes(?: round| over| in)?|visits|arrives|will be there|ll be there) (?=at \d)",
     r"son \1 passe "),
    # ("at 6." is left alone: "at 6. 11 is better" reads badly either way)
    (r"(?<!\bnot )\bat (\d{1,2})\b(?![:h/.\d])", r"a \1h"),
    (r"(?<!\bnot )\bat (?=\d{1,2}h|\d{1,2}:\d{2})", "a "),
    # "after 6pm is best, so 6:30pm?": bounds, and the moment decided
    (r"\bafter (?=\d)", "apres "), (r"\bbefore (?=\d)", "avant "),
    (r"(?:^|(?<=[,.;!?] ))so (?=\d|a \d|(?:tomorrow|today|monday|tuesday|wednesday|thursday|"
     r"friday|saturday|sunday|next)\b)", "donc "),
    # "my nurse comes at 9 so ring me at 11": what comes after "so" is the request
    (r"(?<=\w) so (?=(?:please |pls |just )?(?:call|ring|phone|give me a (?:call|ring)|"
     r"can you|could you|you can|you could|let s)\b)", ", donc "),
    # "the taxi is booked at 7.15": an hour with its minutes, not a date
    (r"(?<!\bnot )\bat (\d{1,2})\.([0-5]\d)\b(?!\.\d)", r"a \1h\2"),
    # ... but neither is it the 6th ("My friend visits at 4.")
    (r"(?<!\bnot )\bat (\d{1,2})(?=\.(?!\d))", ""),
    # "my daughter calls me every day at 7pm": someone else's call, not a request
    (r"\b(?:my|his|her|our) (?!volunteer)(\w+) (?:calls?|phones?|rings?) (?:me|us)\b",
     r"ma \1 m appelle"),
    # "I finish work at 6": busy until then
    (r"\bi (?:finish|come back|get back|am back|m back|ll be back|will be back)\b", "je finis"),
    # "I can't at 10", "busy at 10", "I have the doctor at 10", "I go to church at
    # 10", "I work at 10": that moment is taken
    (r"\b(?:i )?(?:can ?t|cannot|can not|could not|couldn ?t)\b", "je peux pas"),
    (r"\b(?:i m |i am |im )?busy\b", "occupe"), (r"\bi (?:work|m working|am working)\b",
                                                 "je travaille"),
    (r"\bi (?:have|ve got|got|ll have|will have) (?:a |an |the |my )?"
     r"(?!(?:time|free|nothing|no|some|all|any)\b)(?=\w)", "j ai le "),
    # "I take the bus at 9.40": a ride at its hour, as "je prends le bus"
    (r"\bi (?:take|catch|ll take|ll catch|have to take|have to catch|must take|must catch) "
     r"(?:the |a |my )?(?=(?:bus|train|tram|taxi|metro|subway|tube|coach|plane)\b)",
     "je prends le "),
    (r"\bi (?:go|m going|am going|ll go|will go|ll be|will be|m) (?:to|at) (?:the )?(?=\w)",
     "je vais au "),
    # "not in the morning though": that part of the day refused
    (r"\bnot (?:in the |on the )?(morning|afternoon|evening)s?(?: though)?\b",
     lambda m: "pas " + {"morning": "le matin", "afternoon": "l apres midi",
                         "evening": "le soir"}[m.group(1)]),
    # "11 in the morning is good", "half past two in the afternoon"
    # ("saturday 10 in morning": English learnt late, the article left out)
    (r"\b(\d{1,2})(?:[:.](\d{2}))? in (?:the )?morning\b",
     lambda m: f"{m.group(1)}h{m.group(2) or ''}"),
    (r"\b(\d{1,2})(?:[:.](\d{2}))? in (?:the )?(?:afternoon|evening)\b",
     lambda m: f"{int(m.group(1)) % 12 + 12}h{m.group(2) or ''}"),
    (r"\b(\d{1,2}) ?o ?clock\b", r"\1h"),
    (r"(?<![:.])\b(\d{1,2}) (?=(?:is|works|would|o clock|ok|okay|fine)\b)", r"\1h "),
    (r"\b(?:the )?day after tomorrow\b", "apres demain"),
    # "not tomorrow, the day after, same time": the day after the one talked about
    (r"\bthe (?:day after|next day|following day)\b", "le lendemain"),
    (r"\b(?:at )?(?:the )?same (?:time|hour)\b(?! as\b)", "a la meme heure"),
    (r"\btomm?orr?ow\b|\btmrw?\b|\btmw\b|\btomoro\b", "demain"), (r"\btoday\b", "aujourd hui"),
    (r"\btonight\b|\bthis evening\b", "ce soir"), (r"\bthis morning\b", "ce matin"),
    (r"\bthis afternoon\b|\bthis arvo\b", "cet apres midi"),
    (r"\bnext week\b", "la semaine prochaine"),
    (r"\bnext (?=(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)", ""),
    # "Tues 15th, 2pm": a weekday shortened before its date
    (r"\btues?\b(?= \d)", "mardi"), (r"\bwed\b(?= \d)", "mercredi"),
    (r"\bthu(?:rs?)?\b(?= \d)", "jeudi"), (r"\bfri\b(?= \d)", "vendredi"),
    # "sat 3pm", "sun 11am", "mon 10:30": a weekday shortened before its hour ("mon"
    # only before an hour: "mon 2e rendez-vous" is French)
    (r"\bsat\b(?= \d)", "samedi"), (r"\bsun\b(?= \d)", "dimanche"),
    (r"\bmon\b(?= \d{1,2}(?:h|:\d{2}\b))", "lundi"),
    (r"\bmonday\b", "lundi"), (r"\btuesday\b", "mardi"), (r"\bwednesday\b", "mercredi"),
    (r"\bthursday\b", "jeudi"), (r"\bfriday\b", "vendredi"), (r"\bsaturday\b", "samedi"),
    (r"\bsunday\b", "dimanche"), (r"\bin the morning\b|\bmorning\b", "matin"),
    # ("arvo": the afternoon, in Australian and some British English)
    (r"\bin the afternoon\b|\bafternoon\b|\barvo\b", "apres midi"),
    (r"\bin the evening\b|\bevening\b", "soir"), (r"\b(?:12 )?noon\b", "midi"),
    # "Tuesday week", "a week on Tuesday", "a week today", "a week tomorrow": that day a
    # week further on, as French "mardi en huit", "aujourd'hui en huit"
    (r"\b(?:a week (?:on |from )?)(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|"
     r"aujourd hui)\b", r"\1 en huit"),
    (r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) week\b", r"\1 en huit"),
    # "Tuesday 15 december": the month in French
    (r"\b(?:january|february|march|april|june|july|august|september|october|november|"
     r"december)\b", lambda m: MONTHS[("january", "february", "march", "april", "may", "june",
                                       "july", "august", "september", "october", "november",
                                       "december").index(m.group(0))]),
    (r"\bin an hour\b", "dans une heure"), (r"\bin (\d+) hours?\b", r"dans \1 heures"),
    (r"\bin (\d+) days?\b", r"dans \1 jours"),
    # "in three days, in the morning": the number in words
    (r"\bin (two|three|four|five|six|seven|eight|nine|ten) days\b",
     lambda m: f"dans {_ENGLISH_NUMBERS[m.group(1)]} jours"),
    # "Tuesday the 15th", "on the 2nd": a date
    # "flat 22, 3rd floor": a floor is no date
    (r"\b(?:the |on the )?\d{1,2}(?:st|nd|rd|th)? floor\b", "etage"),
    (r"\b(?:the |on the )?(\d{1,2})(?:st|nd|rd|th)\b(?: of)?", r"le \1"),
    (r"\bhalf past (\d{1,2})\b", r"\1h30"), (r"\bquarter past (\d{1,2})\b", r"\1h15"),
    # ("Sunday at 11am instead?": the moment is before it, no correction follows it)
    (r"\binstead\b(?= *(?:[?.!,;]|$))", "a la place"),
    (r"\binstead\b|\bmake it\b", "plutot"), (r"\b(?:let s )?say (?=\d)", "disons "),
    # "Tues 15th, 2pm UK time... sorry I mean she's in France so 2pm French time": a
    # correction
    (r"\b(?:sorry|oops),? i (?:mean|meant)\b", "pardon je veux dire"),
    # "He asks for a call on Saturday" (a home help writing for him)
    (r"\b(?<!t )(?:asks?|asking|would like|would love|wants?|d like|d love) (?:for )?"
     r"(?:a |the |my |her |his )?"
     r"(?:volunteer s? |volunteer |phone |next )?call\b", "voudrait un appel"),
    # "she asked me to book a call for her"
    (r"\b(?:book|schedule|arrange|set up) (?:a |the |her |his |my )?(?:phone )?call\b",
     "voudrait un appel"),
    # "She wants the call but she cannot write": not about the moment
    (r"\b(?:can ?t|cannot|can not) (?:write|read|hear|type|text|see well|walk|speak)\b",
     "a du mal"),
    (r"\b(?:put|book|schedule) (?:her|him|me|us|them)(?: down)?(?: for)?\b", "mettez moi"),
    # "same day, 7 pm", "an hour later", "half an hour earlier"
    (r"\b(?:the )?same day\b", "le meme jour"),
    (r"\bhalf an hour\b", "une demi heure"), (r"\b(?:an|one) hour\b(?= (?:later|earlier))", "1h"),
    (r"\b(\d{1,2}|two|three) hours\b(?= (?:later|earlier))",
     lambda m: {"two": "2", "three": "3"}.get(m.group(1), m.group(1)) + "h"),
    (r"\b(\d{1,3}) min(?:ute)?s\b(?= (?:later|earlier))", r"\1 minutes"),
    (r"\blater\b", "plus tard"), (r"\bearlier\b", "plus tot"),
    # "please don't ring her on Monday", "do not phone him tomorrow": that day's call
    # refused, as "ne l'appelez pas lundi" (never "don't call before 10"; "after all"
    # is read further down)
    (r"\b(?:don ?t|do not) (?:call|ring|phone)(?![^.!?]{0,40}\bafter all\b)"
     r"(?: (?:me|us|her|him|them))?(?: on| this)? "
     r"(?=(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|"
     r"tonight|demain|aujourd hui|ce soir|" + "|".join(WEEKDAYS) + r")\b)", "ne l appelez pas "),
    (r"\b(?:call|phone|ring) (?:me|us|her|him|them|my (?:mother|mum|mom|father|dad|"
     r"grandmother|grandfather|wife|husband))\b", "appelez moi"),
    (r"\b(?:don ?t|do not|please don ?t) cancel\b", "gardez"), (r"\bkeep\b", "gardez"),
    (r"\bnot (?:at )?(\d{1,2})[:.h](\d{2})\b", r"pas a \1h\2"),
    # "sorry not 11": an hour refused, not the 11th
    (r"\bnot (?:at )?(\d{1,2})\b(?![:h/\d]|\.\d)", r"pas a \1h"), (r"\bcancel\b", "annule"),
    # "please remove my appointment on Friday", "delete the call": that call is off
    (r"\b(?:delete|remove|erase) (?:my |the |this |that |our )?(?:phone )?(?:appointment|call|"
     r"booking|appt)\b", "annule"),
    (r"\baround\b|\babout\b(?= \d)", "vers"), (r"\bplease\b|\bpls\b|\bplz\b", "svp"),
    # "sorry, scrap that, ... Tuesday instead, same time": a correction, the moment
    # said instead is asked
    (r"\b(?:scrap|forget) (?:it|that)\b(?=.*\b(?:a la place|plutot)\b)", "non"),
    (r"\bnever mind\b|\bforget it\b|\bscrap (?:it|that|the whole thing|the call)\b|"
     r"\bdon ?t bother(?: calling| to call| ringing| phoning)?\b", "laissez tomber"),
    # "cancel Friday - could we do Sunday at 11am instead?": a moment asked
    (r"\b(?:could|can) (?:we|you) (?:do|make it|try|say|have it)\b", ", vous pouvez m appeler"),
    # "Whenever suits the volunteer, I'm home all day"
    (r"\bwhenever (?:suits|works|is (?:good|best|easiest|convenient)|you (?:want|like|can)|"
     r"(?:the |your )?volunteer)\b|\bany ?time(?: is (?:fine|good|ok))?\b", "quand vous voulez"),
    # A relative writing for the person: "Tuesday the 8th at 4 pm would suit her best",
    # "Friday 11am works best for him": the moment asked for her, as "ça lui
    # conviendrait". (Not yet "would suit me": a dev conversation books on it and then
    # loses its English cancellation to a risk reading, which is not the reader's.)
    (r"\b(?:would|will|should) (?:suit|work for|be (?:best|ideal|perfect|great) for) "
     r"(?:her|him|them)(?: best)?\b|\b(?:suits|works (?:best )?for) (?:her|him|them) "
     r"best\b|\bworks best for (?:her|him|them)\b", "lui conviendrait"),
    # "Actually I changed my mind, I don't want the call"
    (r"\bi (?:don ?t|do not) want (?:the |a |any |this |that )?(?:call|phone call)\b",
     "je ne veux pas d appel"),
    # "no call. not need. thank you"
    (r"\bno call\b", "pas d appel"), (r"\bnot need\b", "plus besoin"),
    # "I'll pass on Friday actually", "I think I'll pass": that call is done without
    # (never "I'll pass the message on", "I'll pass by")
    (r"\b(?:i ll|i will|i think i ll|i d better|i m going to|i ll have to) pass\b"
     r"(?! (?:by|through|it|away|along|over|the|a|my|your|this|that|on (?:the|your|my|a|this|"
     r"that|it)\b))", "je vais m abstenir"),
    (r"\b(?:let s|just|we ll|we can|i ll|i d) leave it (?:for now|there|at that|"
     r"for the moment)\b", "on laisse pour le moment"),
    # "I'll give it a miss", "we'll have to drop that", "scratch the whole thing",
    # "you can cross that off": the call done without
    (r"\bgive (?:it|that|the call|this one|that one) a miss\b|\b(?:have to |going to |"
     r"gonna |better |can |could )?drop (?:that|this|the call|that one|this one)\b"
     r"(?! (?:off|by|in|round|over)\b)|"
     r"\bscratch (?:it|that|the whole thing|the call|everything)\b(?![^.!?]*\b(?:a la place|"
     r"plutot)\b)|\bcross (?:it|that|this|the call|me|her|him) (?:off|out)\b|"
     r"\bcross off (?:the call|that|it)\b", "laissez tomber"),
    # "please don't call on Tuesday after all", "don't call me." (never "don't call before
    # 10")
    (r"\b(?:don ?t|do not) (?:call|ring|phone)(?: me)?\b(?=[^.!?]{0,30}\bafter all\b| *(?:$|[.!]))",
     "n appelez pas finalement"),
    # "please stop the call for Monday", "I'd rather not go ahead with the call", "let's
    # not go ahead": that call is off
    (r"\bstop (?:the|my|this|that|our) (?:phone )?call\b", "annulez l appel"),
    # (never "I'll go ahead with Friday": the "not" is said)
    (r"\b(?:(?:i d|i would|we d|we would) (?:rather|prefer) not(?: to)?|(?:let s|let us|i ll|"
     r"i will|we ll|we will|better|i think i ll|i prefer) not(?: to)?|(?:i ve|i have|i|we ve|"
     r"we have|we) decided not to|(?:i|we) won t|(?:i|we) will not|don t|do not) (?:go ahead|"
     r"proceed|go through)(?: with (?:it|the call|the phone call|this call|that call|our call|"
     r"my call))?\b", "je prefere annuler l appel"),
    (r"\b(?:i d|i would) rather not (?:have|do|take) (?:the|this|that|a|my|our) (?:phone )?call\b"
     r"(?= *(?:$|[,.;!?]| on| for| after all| thanks| thank))", "je prefere annuler l appel"),
    (r"\b(?:let s |we can )?(?:put (?:it|the call|that|this) off|postpone (?:it|the call|that))"
     r"(?: (?:for now|until later|indefinitely|for a while))?\b(?! (?:to|until|till|by) )",
     "on remet ca a plus tard"),
    # "not Wednesday, my sister visits", "not on Friday": that day refused
    # ("not tomorrow, the day after" is read further down, as it was)
    (r"\bnot (?:on )?(?:this )?(?=(?:" + "|".join(WEEKDAYS) + r")\b)(?![^.!?]{0,40}\b(?:but|the "
     r"following|the day after|le lendemain)\b)", "pas "),
    # "Not before 10 am please": the bound, as in French
    (r"\bnot (?=(?:before|after|avant|apres|plus tot|plus tard)\b)", "pas "),
    # "3 pm would be ideal", "Saturday at 2 would be perfect": the moment asked
    (r"\b(?:would|will) be (?:ideal|perfect|best|great|lovely|good|nice|grand|smashing|"
     r"brilliant|champion)\b"
     r"(?! for (?:her|him|them))", "ce serait ideal"),
    (r"\bforget (?:about )?(?:the |my |this |that )?call\b|\bskip it\b|\bdrop it\b",
     "laissez tomber"),
    # "let's scrap Monday", "cross off Friday", "not to worry about Thursday after
    # all": that day's call is off
    (r"\b(?:scrap|scratch|drop|cross off|strike off|skip)(?: the call (?:on|for))? (?=(?:demain|"
     r"aujourd hui|ce soir|" + "|".join(WEEKDAYS) + r")\b)|\b(?:not to|no need to|don ?t) worry "
     r"about (?:the call (?:on |for ))?(?=(?:demain|aujourd hui|ce soir|" + "|".join(WEEKDAYS)
     + r")\b[^.!?]{0,30}\bafter all\b)", "annule "),
    # "let's not do Thursday at all", "let's not bother with tomorrow": that call is off
    (r"\blet s not (?:do|have|bother with|bother) (?:the call (?:on |for ))?(?=(?:demain|"
     r"aujourd hui|ce soir|" + "|".join(WEEKDAYS) + r")\b)", "annule "),
    # "please disregard tomorrow", "forget about Tuesday": that call is off
    (r"\bdisregard\b|\bforget (?:about )?(?=(?:demain|aujourd hui|ce soir|"
     + "|".join(WEEKDAYS) + r")\b)", "annule "),
    (r"\bnot (?:any ?more|anymore)\b", "plus besoin"),
    # "could we call the whole thing off?": the call is off
    (r"\bcancell?ed\b|\bcall (?:it |it all |the whole thing |everything |the call )?off\b",
     "annule"),
    # "my son is coming, no need call"
    (r"\bno (?:more )?need(?: (?:to|for|of|the|a))*(?: call\w*| phone| it)?\b|"
     r"\bdon ?t need (?:the |a |to )?call\w*\b|\bnot need (?:the |a )?call\w*\b", "plus besoin"),
    (r"\b(?:is )?fine\b|\bsounds good\b|\bperfect\b|\b(?:is|it s|that s) good\b|"
     r"\bgood for me\b", "ca me va"),
    # "Tomorrow at noon works.": the moment said suits (never "nothing works")
    (r"(?<!\bnothing )(?<!\bnever )\bworks(?: for me)?\b(?= *(?:$|[.!,;]))", "ca me va"),
    (r"\bthank you\b|\bthanks\b", "merci"),
    (r"^yes\b|^yeah\b", "oui"), (r"^no\b|\bno\b(?= *[,.]|$)", "non"),
)


_ADDRESS_NUMBER_RE = re.compile(
    r"\b(appartement|appart|apt|batiment|bat|porte|escalier|chambre|bureau|bus|ligne|code|"
    r"digicode|numero|box|salle|bloc|residence|tour|logement|cellule|flat|room|ch|chb|etage|"
    r"pavillon) (?:n|no|numero )?"
    r"(\d{1,4})\b(?! ?(?:h\b|heures?\b|:\d))")
_STREET_NUMBER_RE = re.compile(
    r"\b\d{1,4}(?: bis| ter)? (rue|avenue|av|boulevard|bd|place|chemin|impasse|allee|route|"
    r"quai|cours|square|residence|cite)\b")


def _word_hour(match: "re.Match[str]") -> str:
    """"plutôt dix" -> "plutot a 10h"."""
    return f"{match.group(1)} a {HOUR_WORDS[match.group(2)]}h"


# The tables above, compiled once: normalise runs them on every new message,
# and with this many patterns Python's own cache of compiled expressions (512)
# would not keep them all.
_ENGLISH_WORDS_COMPILED = tuple((re.compile(english), french) for english, french in ENGLISH_WORDS)
_SMS_WORDS_COMPILED = tuple((re.compile(pattern), replacement)
                            for pattern, replacement in SMS_WORDS)
# "on a parlé une heure", "pendant deux heures": a length of time, not an hour
_HOUR_WORDS_COMPILED = tuple(
    (re.compile(rf"(?<!dans )(?<!pendant )(?<!parle )(?<!durant )(?<!depuis )"
                rf"(?<!bonne )(?<!plus d )(?<!moins d )(?<!attendu )\b{word} heures?\b"),
     f"{number}h")
    for word, number in sorted(HOUR_WORDS.items(), key=lambda kv: -len(kv[0])))


@lru_cache(maxsize=512)
def normalise(text: str) -> str:
    """Folded text with SMS spelling, hours in words and service numbers rewritten.

    Cached: one message is read several times (the call reader in the NLU, the
    booking policy, the booking actions), and a long one takes a few
    milliseconds.
    """
    # A long SMS (up to 1,600 characters) is read whole: a request at its end
    # ("…me téléphone samedi après ma sieste, vers 15h30") is still a request.
    # "❌ pour demain": a cross over the moment calls it off
    folded = fold(re.sub(r"[\u274c\U0001f6ab\u2716]", " annule ", text or ""))[:1600]
    # a phone number ("06 41 27 83 09", "+33 6 41 27 83 09") is neither a date nor an hour
    folded = re.sub(r"(?:\+ ?33 ?|\b0)[1-9](?:[ .]?\d{2}){4}\b", " numero de telephone ", folded)
    # Dictated messages spell their punctuation ("après-demain virgule le matin").
    folded = re.sub(r" virgule\b", ",", folded)
    # "pas trop tôt le matin": the early morning, not the whole morning
    folded = re.sub(r"(?<!c est )(?<!\bc )\bpas trop tot(?: le matin| dans la matinee|"
                    r" la matinee)?\b",
                    "pas a 8h, pas a 8h30, pas a 9h, pas a 9h30,", folded)
    # "je fais des 12h" (a nurse's shifts): a length of work, never an hour
    folded = re.sub(r"\b(?:fais|fait|faisais|font|enchaine|enchaines|enchainent) des "
                    r"\d{1,2} ?h\b(?! ?\d)", "fais de longues gardes", folded)
    # "mère credit" (dictated mercredi), "10h1/2" (half past ten)
    folded = re.sub(r"\bmere ?credi[te]?\b", "mercredi", folded)
    folded = re.sub(r"\b(\d{1,2}) ?h ?1/2\b", r"\1h30", folded)
    # "à la même heure que d'habitude : 11h": the hour said is the usual one
    folded = re.sub(r"\b(?:a )?la meme heure (?:que d habitude|qu habituellement|que d hab|"
                    r"que la derniere fois|que la fois derniere)\s*[:,]?\s*(?=(?:a )?\d{1,2} ?h)",
                    " ", folded)
    # ("14 heures point pas à 10 heures point c'est le kiné": each sentence its own;
    # "je rentre lessivé point samedi à 3 heures", "10h du matin point l'après-midi
    # mon petit-fils vient": a new sentence starts with a day or an article too)
    folded = re.sub(r"(?<!\ble)(?<!\bau)(?<!\bdu)(?<!\bun)(?<!\bce)(?<!\bmon)(?<!\ba)(?<!\bde)"
                    r" point (?=(?:merci|a la ligne|final|non|ah|oh|euh|mais|alors|donc|pas|"
                    r"c est|je|j|il|elle|on|ma|mon|mes|sinon|surtout|par contre|l|la|les|"
                    r"demain|apres demain|aujourd hui|" + "|".join(WEEKDAYS) + r")\b)"
                    r"| point$", ". ", folded)
    folded = _misspelt_weekdays(folded)
    for english, french in _ENGLISH_WORDS_COMPILED:
        folded = english.sub(french, folded)
    # "la chorale a une répétition samedi à l'église, de 16h à 19h, ...": a window of
    # hours set off by commas goes with the day of the clause before it
    folded = re.sub(r"\b((?:demain|" + "|".join(WEEKDAYS) + r")\b[^,.;!?]{0,60}), (?=(?:de|entre) "
                    r"\d{1,2} ?h(?:\d{2})? (?:a|et) \d{1,2} ?h(?:\d{2})? *[,.;!?])", r"\1 ", folded)
    folded = _busy_windows(folded)
    for pattern, replacement in _SMS_WORDS_COMPILED:
        folded = pattern.sub(replacement, folded)
    # "j'annule mon rendez-vous chez l'ophtalmo du 11, trop loin, je verrai en janvier":
    # what is put off in the same sentence is that thing, not the call
    folded = re.sub(r"( , creneau [^,]* ,[^.?!|]{0,40}?)\b(?:je verrai|on verra)\b",
                    r"\1 plus tard", folded)
    if not _BACK_TO_THAT_MOMENT_RE.search(folded):
        # someone else's cancellation keeps its moment only for "à cette heure-là"
        # after it; told alone ("mon médecin a annulé ma consultation de mardi à
        # 15h"), it is not a moment for a call
        folded = re.sub(r" , creneau [^,]* ,", " ", folded)
    for hour_word, hour in _HOUR_WORDS_COMPILED:
        folded = hour_word.sub(hour, folded)
    # "...mardi prochain à dix heures voilà c'est ma petite fille qui a mis le truc"
    # (dictated): "voilà" closes what was said
    folded = re.sub(r" voila (?=(?:c est|c|je|j|ma|mon|il|elle|on|merci|bonne|au revoir)\b)",
                    " voila, ", folded)
    # "11h, c'est l'heure de mon cachet": that hour is taken
    folded = re.sub(r"\b(\d{1,2}h\d{0,2}|midi) ?, c est (?:l heure|le moment) (de|du|d)\b",
                    r"pas a \1, c est l heure \2", folded)
    # "demain 1530": an hour written without its h
    folded = re.sub(r"\b(demain|aujourd hui|ce soir|a|vers|" + "|".join(WEEKDAYS)
                    + r") (0?[89]|1\d|20)(00|15|30|45)\b", r"\1 \2h\3", folded)
    # "le 8 à 17 si possible", "samedi 12 à 11": a bare number after a date is its hour
    folded = re.sub(r"\b(le \d{1,2}(?:er)?|demain|aujourd hui|(?:" + "|".join(WEEKDAYS)
                    + r")(?: \d{1,2})?) a (0?[89]|1\d|20)(?= *(?:$|[,.;!?]|si possible\b|svp\b|"
                    r"stp\b|merci\b|s il\b|plutot\b|ca\b|c est\b))", r"\1 a \2h", folded)
    # "si la personne qui m'a appelée la semaine dernière pouvait me rappeler mercredi
    # vers 17h": the past moment is the earlier call's, the moment after the call
    # word is asked (a clause of its own)
    folded = re.sub(r"\b(hier|avant hier|la semaine derniere|l autre jour|la derniere fois|"
                    r"l autre fois|ce matin|le mois dernier) (?=(?:pourrait|pouvait|pourriez|"
                    r"peut|puisse|pourra|voudrait|veut|va) (?:me |m |nous )?(?:r?appeler|"
                    r"telephoner)\b)", r"\1, ", folded)
    # "M. Ould Ahmed m'a demandé de vous dire : dimanche 11h": what is passed on, after
    # the colon, is the person's own words (a clause of its own)
    folded = re.sub(r"\b(de vous (?:dire|transmettre|demander|faire savoir|ecrire)) ?: ",
                    r"\1, ", folded)
    # "j'annule l'ophtalmo du 11... et le coup de fil du 11 aussi": the call named by
    # its moment, as what was just said of something else; told, not asked for
    # (with the person away, "... aussi, je pars chez ma cousine", it is called off too)
    named_too = (r"\b(?:le|l|mon|ce|cet) (?:coup de fil|coup de telephone|appel|"
                 r"rendez vous telephonique) ((?:du|de) (?:le )?(?:\d{1,2}|demain|"
                 + "|".join(WEEKDAYS) + r")(?: \d{1,2})?) (?=(?:aussi|egalement|pareil|"
                 r"non plus)\b)")
    folded = re.sub(named_too + r"(?=[^.?!]*\b(?:je pars|je partirai|je serai partie?|"
                    r"je ne serai pas la|je serai absente?|je suis absente?|je m absente)\b)",
                    r"annule celui \1 ", folded)
    folded = re.sub(named_too, r"celui \1 ", folded)
    # "ce tantôt sur les trois heures", "à l'heure du goûter": the afternoon
    folded = re.sub(r"\bce tantot\b", "cet apres midi", folded)
    folded = re.sub(r"\b(?:a )?l heure du gouter\b|\bau gouter\b", "l apres midi", folded)
    # "2 mains à 14h" (dictated demain), "amanhã" (Portuguese)
    folded = re.sub(r"\b(?:2|deux) mains?\b(?= (?:a|vers|matin|soir|apres|\d))", "demain", folded)
    folded = re.sub(r"\bamanha\b", "demain", folded)
    # "Samedi à neuf heures ? Non, plutôt dix.": the hour corrected, its word left out
    folded = re.sub(r"\b(plutot|disons|mettons) (?:a |vers )?(huit|neuf|dix|onze|quatorze|quinze|"
                    r"seize|dix sept|dix huit|dix neuf)\b(?= *(?:$|[,.;!?]|si\b|svp\b|merci\b))",
                    _word_hour, folded)
    folded = re.sub(r"\b(plutot|disons|mettons) (?:a |vers )?([89]|1\d|20)"
                    r"(?= *(?:$|[,.;!?]|si\b|svp\b|merci\b))", r"\1 a \2h", folded)
    for word, minutes in sorted(MINUTE_WORDS.items(), key=lambda kv: -len(kv[0])):
        folded = re.sub(rf"\b(\d{{1,2}})h {word}\b(?! (?:minutes?|min|jours?|ans?)\b)",
                        rf"\g<1>h{minutes:02d}", folded)
    folded = _DATE_WORDS_RE.sub(lambda m: f"{DAY_WORDS[m.group(1)]} {m.group(2)}", folded)
    # "le vendredi onze à 9h15", "l'autre vendredi, le onze, à 18h30" (dictated): the
    # date in words (the hours in words are digits by now)
    folded = _WEEKDAY_DATE_WORDS_RE.sub(lambda m: f"{m.group(1)} {DAY_WORDS[m.group(2)]}",
                                        folded)
    # ("vers onze heures et d'mie": "demie" said short)
    folded = re.sub(r"\b(\d{1,2}) ?h(?:eures?)? et (?:demie?|d ?mie)\b", r"\1h30", folded)
    folded = re.sub(r"\b(\d{1,2}) ?h(?:eures?)? et quart\b", r"\1h15", folded)
    folded = re.sub(r"\bmidi moins (?:le )?quart\b", "11h45", folded)
    folded = re.sub(r"\bmidi et quart\b", "12h15", folded)
    folded = re.sub(r"\b(\d{1,2}) ?h(?:eures?)? moins (?:le )?quart\b",
                    lambda m: f"{(int(m.group(1)) - 1) or 12}h45", folded)
    # "à une heure moins le quart plutôt qu'à midi": midi is the hour left
    folded = re.sub(r"\bplutot (?:qu a|que|qu au) (midi|\d{1,2}h\d{0,2})", r"plutot, pas a \1",
                    folded)
    # "le bus à 9h moins 10": 8h50 (not the 10th)
    folded = re.sub(r"\b(\d{1,2}) ?h(?:eures?)? moins (5|10|20|25)\b(?! ?(?:h|jours?|ans?)\b)",
                    lambda m: f"{int(m.group(1)) - 1}h{60 - int(m.group(2)):02d}", folded)
    # "appartement 14", "bâtiment 3", "12 rue des Lilas", "le bus 38": an address or a
    # line, neither a date nor an hour
    folded = _ADDRESS_NUMBER_RE.sub(r"\1 numero", folded)
    folded = _STREET_NUMBER_RE.sub(r"numero \1", folded)
    folded = _SERVICE_RE.sub(" numero de service ", folded)
    folded = _BIG_SERVICE_RE.sub(" numero de service ", folded)
    # "le 15, le 18 et le 115 sur le frigo": emergency numbers listed, not dates
    for _ in range(2):
        folded = re.sub(r"\ble (15|17|18)\b(?= ?(?:,|et|ou) (?:le )?"
                        r"(?:15|17|18|numero de service)\b)", "numero de service", folded)
        folded = re.sub(r"(?<=numero de service)( ?(?:,|et|ou)) le (15|17|18)\b(?! ?(?:h\b|heures?|"
                        + "|".join(MONTHS) + r"))", r"\1 numero de service", folded)
    # "je prends le 14 à 9h": a bus, not the 14th
    folded = re.sub(r"\b(prends|prendre|pris|prend|attends|attendre|rate|rater) le (\d{1,3})\b"
                    r"(?! ?(?:h\b|heures?|" + "|".join(MONTHS) + r"))", r"\1 le bus numero", folded)
    folded = _QUANTITY_RE.sub(r"plusieurs \2", folded)
    # "Doliprane 1 g si douleur", "5 mg": a dose, not a date
    folded = re.sub(r"\b\d{1,4}(?:[.,]\d+)? ?(?:g|mg|gr|kg|ml|cl|mcg|ui|gouttes?)\b", " dose ",
                    folded)
    # "le beurre est à 2,45 € la plaquette", "les poireaux à 1,80 le kilo": a price
    # with a decimal comma, neither a date nor a list of days
    folded = re.sub(r"\b\d{1,4},\d{1,2} ?(?:€|euros?\b|eur\b|e\b|le (?:kilo|kg|litre|paquet|"
                    r"pot|metre)\b|la (?:piece|baguette|boite|bouteille|douzaine|plaquette|"
                    r"tranche|livre)\b)", " prix ", folded)
    # "friday 9.30", "demain à 14.15": an hour written with a dot (not a price)
    # ("mardi 15 décembre 16.00": after the date's month too)
    folded = re.sub(r"\b(a|vers|pour|demain|aujourd hui|" + "|".join(WEEKDAYS + MONTHS)
                    + r") (\d{1,2})\.([0-5]\d)\b(?! ?(?:euros?|e\b|kg|km|%))", r"\1 \2h\3", folded)
    # "rappelez-moi à 14h30, là je suis dans le bus, je peux pas parler": now, not then
    folded = re.sub(r"\b(?:je|j) ?(?:ne )?(?:peux|peut|pe) pas (?:parler|repondre|decrocher)"
                    r"(?: (?:maintenant|la|pour l instant|tout de suite))?\b", " ", folded)
    # "mardi 15 à 9 h 45 l'infirmière passe à 8 h", "lundi vers 3 heures ma fille elle
    # passe le matin" (dictated): after the moment asked (a day and its hour), someone
    # who comes is another clause, with its own hour ("à 15h30 mon petit-fils vient" is
    # his hour)
    folded = _SOMEONE_COMES_RE.sub(r"\1, ", folded)
    # "lundi 14h il est en forme après manger", "samedi 15h je serai rentrée": the
    # moment, then why it suits (a sentence of its own, written without a comma)
    folded = _WHY_IT_SUITS_RE.sub(r"\1, ", folded)
    # "il m'a juré qu'il passerait lundi à 9h, on verra bien": doubt about someone
    # else's promise, not the call put off
    folded = _DOUBTED_PROMISE_RE.sub(r"\1, qui sait", folded)
    # "donc pas 11 heures vendredi 4 à 17 heures" (dictated): the hour refused, then
    # the moment asked
    folded = re.sub(r"\b(pas (?:a |vers )?(?:\d{1,2} ?h(?:eures?)?(?: ?\d{2})?|midi))"
                    r" (?=(?:" + "|".join(WEEKDAYS)
                    + r"|demain|apres demain|le \d|a \d|vers \d)\b)",
                    r"\1, ", folded)
    # "non pas vendredi samedi" (dictated): the day refused, then the one asked
    folded = re.sub(r"\bpas (" + "|".join(WEEKDAYS) + r") (" + "|".join(WEEKDAYS) + r")\b",
                    r"pas \1, \2", folded)
    # "non pas demain l'autre vendredi le onze": the day refused, then the one asked
    # ("... pas demain hein vendredi d'après le onze": dictated)
    folded = re.sub(r"\bpas (demain|aujourd hui|" + "|".join(WEEKDAYS) + r") (?:hein |non )?"
                    r"(?=(?:l autre |plutot |mais )(?:" + "|".join(WEEKDAYS) + r"|le \d)|(?:"
                    + "|".join(WEEKDAYS) + r") (?:d apres|prochain|suivant|le \d))",
                    r"pas \1, ", folded)
    # "pas le 8, le suivant, le 15": the date refused, then the one asked
    folded = re.sub(r"\bpas le (\d{1,2}(?:er)?)\b(?! ?(?:h\b|heures?|:))(?= (?:hein |non )?"
                    r"(?:le suivant |celui d apres |l autre |plutot |mais )?le \d)", r"pas le \1, ",
                    folded)
    # "non 17h plutot g le kiné a 16h": "plutôt" ends the hour asked; the reason follows
    folded = re.sub(r"\bplutot (?=(?:j ai|j avais|je suis|je serai|car|parce que|vu que)\b)",
                    "plutot, ", folded)
    # a carer: "je passe chez lui le mardi 15, appelez-le à 11h45": they are together then
    folded = re.sub(r"\bje (?:passe|passerai|serai) chez (lui|elle)\b(?! (?:de|entre) \d)",
                    r"je suis chez \1", folded)
    # "le bus de 14h10 me ramène tard": the bus's hour, not the call's
    folded = re.sub(r"\b(bus|train|car|tram|tramway|metro|rer|navette|ter|tgv) (?:de|d) "
                    r"\d{1,2}h\d{0,2}\b", r"\1", folded)
    # "vers 17h il est agité : mardi 10h30": after another hour told, the moment
    # given after a colon is a sentence of its own
    folded = re.sub(r"(\b\d{1,2}h\d{0,2}\b[^,.;!?:|]*?) ?: (?=(?:" + "|".join(WEEKDAYS)
                    + r"|demain|apres demain|le \d{1,2})\b[^,.;!?:|]*?\b\d{1,2}h)", r"\1. ", folded)
    # "ma voisine m'invite ce samedi-là": the day already said
    folded = re.sub(r"\bce (?:" + "|".join(WEEKDAYS) + r") la\b", "ce jour la", folded)
    # "je viens de me rappeler que lundi...": remembering, not a call back
    folded = _REMEMBER_RE.sub(" me souviens ", folded)
    return re.sub(r"\s+", " ", folded).strip()


# "je travaille de 9h à 17h", "je suis du matin 6h-13h", "de 14h à 16h j'ai le kiné":
# a window of hours the person is busy, refused whole (a window said alone, "je suis
# dispo de 14h à 16h", is read from its start, see SMS_WORDS).
_WINDOW_RE = re.compile(
    r"\b(?:de |entre )?(\d{1,2}) ?h ?(\d{2})? ?(?:a|et|jusqu a)? ?"
    r"(\d{1,2}) ?h(?:eures?)? ?(\d{2})?\b")
_BUSY_WORDS_RE = re.compile(
    r"\b(?:je travaille|jtravaille|je bosse|jbosse|je taf|au travail|au boulot|de service|"
    r"en service|je suis (?:du|d) (?:matin|apres midi|soir|nuit)|occupee?|pas dispo\w*|"
    r"pas libre|absente?|j ai (?:le |la |l |mon |ma |un |une |des )?(?:kine|medecin|docteur|"
    r"dentiste|infirmiere|cours|rdv|rendez vous|travail|boulot|dialyse|seance|atelier|club|"
    r"aide menagere|aide a domicile|menage|reunion)|dialyse|je suis en cours)\b")


_PUNCTUATED_RE = re.compile(r"[^,.;!?]+")
_NAMED_DAY_RE = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r"|demain|le \d)")


# "demain non", "pas samedi", "lundi impossible": a day refused, in a clause of its own
_DAY_REFUSED_ALONE_RE = re.compile(
    r"^ *(?:(?:ah|oh|bon|alors|mais|et) )*(?:(?:non|nan) )?(?:(?:pas|jamais) (?:le |ce )?"
    r"(?:demain|apres demain|" + "|".join(WEEKDAYS) + r")(?: \d{1,2})?|(?:demain|apres demain|"
    + "|".join(WEEKDAYS) + r")(?: \d{1,2})?,? (?:non|nan|pas possible|impossible|"
    r"c est pas possible|ce n est pas possible|je (?:ne )?peux pas|jpeux pas|c est non))"
    r"(?: (?:desole\w*|pardon|merci))? *$")


def _busy_windows(folded: str) -> str:
    """Windows of hours told as busy become "occupe 09h00 17h00" (read by read_at)."""
    def window(match: "re.Match[str]") -> str:
        pieces = list(_PUNCTUATED_RE.finditer(folded))
        index = next(i for i, c in enumerate(pieces) if c.start() <= match.start() < c.end())
        clause = pieces[index].group(0)
        first, last = int(match.group(1)), int(match.group(3))
        if not _BUSY_WORDS_RE.search(clause) or not 0 <= first < last <= 23 \
                or _NAMED_DAY_RE.search(clause):
            # ("la dialyse mardi jeudi samedi de 7h à 12h": those days only)
            return match.group(0)
        if index > 0 and _DAY_REFUSED_ALONE_RE.match(pieces[index - 1].group(0)) \
                and folded[pieces[index - 1].end():pieces[index].start()].strip() == ",":
            # "demain non, j'ai le travail de 6h à 14h": the hours of the day refused
            # (refused whole), not of the day asked after it
            return " "
        return f" occupe {first}h{match.group(2) or '00'} {last}h{match.group(4) or '00'} "
    return _WINDOW_RE.sub(window, folded)


# "on m'enlève 2 dents", "j'ai 2 enfants": a number of things, not a date (a date
# has "le", a weekday or a month with it: "le 2", "mardi 8", "2 décembre").
_QUANTITY_RE = re.compile(
    r"(?<!\ble )(?<!\bce )(?<!\bdu )(?<!\bau )(?<!\bdans )(?<!\bles )"
    # ("à 9 h 45 elle est partie": the minutes of an hour)
    r"(?<!\d h )(?<!\dh )(?<!\d heures )(?<!\d heure )"
    + "".join(rf"(?<!\b{day} )" for day in WEEKDAYS)
    # ("dimanche 13 non 6 dimanche qui vient": a date and its weekday; "le 9/12 en fin
    # de matinée": the month of a date written in figures)
    + r"(?<![:./])\b(\d{1,3}) (?!(?:" + "|".join(MONTHS + WEEKDAYS) + r"|jours?|semaines?|heures?|"
    r"minutes?|"
    r"min|mn|h|mois|ans?|er|et|ou|a|au|vers|pour|dans|avant|apres|le|la|les|l|entre|de|du|"
    r"matin|soir|midi|ce|cet|cette|pile|tapante?s?|ou|svp|stp|merci|ca|c|si|plutot|alors|"
    r"sinon|non|oui|ok|parce|car|mais|pm|am|h\d+)\b)([a-z]{2,})")


_UNITS = ("un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf")
DAY_WORDS = {"premier": 1, **{w: i + 1 for i, w in enumerate(_UNITS)}, "dix": 10, "onze": 11,
             "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
             "dix sept": 17, "dix huit": 18, "dix neuf": 19, "vingt": 20,
             "vingt et un": 21, **{f"vingt {w}": 21 + i for i, w in enumerate(_UNITS[1:], 1)},
             "trente": 30, "trente et un": 31}
# A date in words ("vendredi onze décembre", "le premier janvier"): the day as digits.
_DATE_WORDS_RE = re.compile(
    r"\b(" + "|".join(sorted(DAY_WORDS, key=len, reverse=True)) + r") ("
    + "|".join(MONTHS) + r")\b")

_WEEKDAY_DATE_WORDS_RE = re.compile(
    r"\b(" + "|".join(WEEKDAYS) + r"|le) (" + "|".join(sorted(
        (w for w in DAY_WORDS if w not in ("un", "premier")), key=len, reverse=True))
    + r")\b(?= *(?:a \d|vers \d|[,.;!?]|$))")


def _near(word: str, name: str) -> bool:
    """One letter off (swapped, missing, extra or wrong): "samdei", "mecredi"."""
    if word == name or abs(len(word) - len(name)) > 1:
        return False
    if len(word) == len(name):
        diff = [i for i, (a, b) in enumerate(zip(word, name)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == name[diff[1]]
                                  and word[diff[1]] == name[diff[0]])
    short, long_ = sorted((word, name), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


_WEEKDAY_LOOKALIKES = {"hardi", "pardi", "tardi", "mahdi", "mundi", "marli", "marri",
                       "samedis", "lundis", "mardis", "jeudis", "vendredis", "dimanches",
                       "mercredis"}


def _misspelt_weekdays(folded: str) -> str:
    """Weekday names typed one letter off ("le samdei a 11h") read as the weekday."""
    def fix(match: "re.Match[str]") -> str:
        word = match.group(0)
        if word in _WEEKDAY_LOOKALIKES or word in WEEKDAYS:
            return word
        return next((name for name in WEEKDAYS if _near(word, name)), word)
    return re.sub(r"\b[a-z]{5,9}\b", fix, folded)


_HOUR_RE = re.compile(
    r"\b(\d{1,2})\s*(?:h|heures?|:(?=\s*\d{2}))\s*(\d{2})?\b(?!\s*(?:jours?|semaines?|mois))"
)
_VERS_RE = re.compile(r"\b(?:vers|pour|a partir de) (\d{1,2})\b(?!\s*(?:er\b|/|\d|jours?|"
                      r"semaines?|mois|" + "|".join(MONTHS) + r"))")
_IN_RE = re.compile(
    r"\bdans (\d+|une|un|deux|trois|quatre|cinq|six|huit|quinze) ?(heures?|h|minutes?|min|"
    r"jours?|semaines?)\b"
)
_DAY_OF_MONTH_RE = re.compile(
    r"\b(?:le |ce )?(\d{1,2})(?:er)?(?: (" + "|".join(MONTHS) + r"))?\b"
    r"(?!\s*(?:[/h]|:\s*\d|ans?\b))"
)
_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
            "huit": 8, "quinze": 15}


def _relative(text: str, now: datetime) -> Optional[Tuple[datetime, bool]]:
    match = _IN_RE.search(text)
    if not match:
        return None
    amount = _NUMBERS.get(match.group(1)) or int(match.group(1))
    unit = match.group(2)
    if unit.startswith(("h",)):
        # "dans une heure" at 10:02: about 11:00, as a person would note it
        # (the nearest quarter of an hour).
        moment = now + timedelta(hours=amount)
        quarter = moment.replace(minute=0, second=0, microsecond=0) + timedelta(
            minutes=15 * round((moment.minute + moment.second / 60) / 15))
        return quarter, True
    if unit.startswith("min"):
        return now + timedelta(minutes=amount), True
    if unit.startswith("semaine"):
        return now + timedelta(weeks=amount), False
    # "dans huit jours", "dans quinze jours": a week, a fortnight (French counts
    # both ends).
    amount = {8: 7, 15: 14}.get(amount, amount)
    return now + timedelta(days=amount), False


# Days people name by their feast (checked in this order).
HOLIDAYS = ((r"lendemain de noel", (12, 26)), (r"(?:veille|reveillon) de noel", (12, 24)),
            (r"noel", (12, 25)), (r"saint sylvestre|reveillon du nouvel an|"
                                  r"reveillon du jour de l an", (12, 31)),
            (r"jour de l an|nouvel an|premier de l an", (1, 1)),
            (r"14 juillet|fete nationale", (7, 14)),
            (r"saint nicolas", (12, 6)), (r"sainte barbe", (12, 4)),
            (r"sainte lucie", (12, 13)), (r"fete des lumieres|immaculee conception", (12, 8)))
# "les enfants ne viennent pas cette année", "il ne décroche plus": a negation
# about someone else, not the person refusing
_OTHERS_SUBJECT_RE = re.compile(
    r"^(?:(?:mais|et|car|parce que|parce qu|puisque|vu que) )?(?:les|mes|ses|nos|leurs|mon|ma|"
    r"son|sa|il|elle|ils|elles|on)\b")
_FIRST_PERSON_RE = re.compile(r"\b(?:je|j|me|m|moi|jpeux|jsuis|jsui)\b")


_NOUN_AT_HOUR_RE = re.compile(
    r"(?:(?:le|la|l|les|mon|ma|mes|son|sa|un|une) )?([a-z]{3,}) a \d{1,2}h(?:\d{2})?")


# "ok la distrib c'est mardi 14h ?", "le marché c'est samedi matin": a thing's moment
_THING_IS_RE = re.compile(r"^(?:ok |bon |alors |donc |et )?(?:le|la|l|les|mon|ma|mes|son|sa|ses) "
                          r"([a-z]{3,}) (?:c est|c|ce sera|sera|a lieu|commence|ouvre|"
                          # "le repas est à 12h"
                          r"(?:est|sont|etait) (?=a \d|vers \d|a midi))\b")


# "c'est quand la distribution des Restos ? Le mardi ou le jeudi ?": a question
# about when a thing is; the moments told after it are the thing's, not a call's
_WHEN_IS_RE = re.compile(r"\b(?:c est|c etait|ce sera) quand (?:la|le|les|l|sa|son|ses|leur)\b|"
                         r"\bquand (?:a lieu|ont lieu|ouvre|ouvrent|commence|commencent) "
                         r"(?:la|le|les|l)\b")
# (asked: "le seul moment c'est quand l'accueil de jour le prend" is no question)
_WHEN_IS_ASKED_RE = re.compile(r"(?:" + _WHEN_IS_RE.pattern + r")[^.!?]*\?")


# Words before "à 10h" or "c'est mardi" that are not a thing the person has then.
_NOT_THINGS = frozenset((
    "rdv", "rendez", "tel", "telephone", "mais", "donc", "puis", "enfin", "juste", "seulement",
    "aussi", "dites", "tres", "quoi", "voila", "bref", "reveil", "message", "sms", "texto",
    "checkin", "toujours", "encore", "pareil", "comme", "sauf", "pourquoi", "peut", "etre",
    "plus", "moins", "mieux", "meilleur", "ideal", "moment", "heure", "jour", "creneau",
    "horaire", "date", "appel", "rappel", "simple", "top", "bon", "seul", "seule", "soir",
    "matin", "week", "lendemain", "veille", "prochain", "suivant"))


def _noun_at_hour(text: str) -> bool:
    """"biberon à 10h", "la messe à 11h": a thing the person has at that hour."""
    match = _NOUN_AT_HOUR_RE.fullmatch(text.strip()) or _THING_IS_RE.match(text.strip())
    if not match:
        return False
    return _is_thing(match.group(1))


def _is_thing(word: str) -> bool:
    """A word naming something the person has then, not a filler, a time word or
    a manner ("idéalement à 14h30", "seulement à 11h").
    """
    return not (re.fullmatch(FILLERS, word) or _TIME_WORDS_RE.fullmatch(word)
                or _CALL_RE.search(word) or word in _NOT_THINGS or word.endswith("ment"))


# "kiné lundi 10h, dentiste mercredi 14h": things named before their moment, listed
_THING_BEFORE_MOMENT_RE = re.compile(
    r"(?:(?:et|puis|plus) )?(?:(?:j ai|jai|il a|elle a|on a) (?:deja |aussi )?)?"
    r"(?:(?:le|la|l|les|mon|ma|mes|un|une) )?([a-z]{3,})(?: (?:de|d) [a-z]+)?"
    r" (?:le )?(?:demain|" + "|".join(WEEKDAYS) + r")(?: \d{1,2})? (?:a |vers )?"
    r"(?:\d{1,2}h(?:\d{2})?|midi)")


def _thing_before_moment(text: str) -> bool:
    # ("la semaine est chargée : coiffeur mardi 9h": the list after its heading)
    match = _THING_BEFORE_MOMENT_RE.fullmatch(text.rsplit(":", 1)[-1].strip())
    return match is not None and _is_thing(match.group(1))


def _listed_thing(clauses: Sequence["_Clause"], clause: "_Clause") -> bool:
    """"kiné lundi 10h, dentiste mercredi 14h, prise de sang vendredi 8h": the person's
    appointments listed, each a thing before its day and hour (two of them at least:
    "appel lundi 10h" alone asks).
    """
    return _thing_before_moment(clause.text) and sum(
        1 for c in clauses if _thing_before_moment(c.text)) >= 2


_THING_AFTER_HOUR_RE = re.compile(
    r"\d{1,2}h(?:\d{2})? (?:le|la|l|les|chez (?:le|la|l)) ([a-z]{3,})$")


def _thing_after_hour(text: str) -> bool:
    """"jeudi 10h le kiné": a thing the person has at that hour, named after it."""
    match = _THING_AFTER_HOUR_RE.search(text.strip())
    # ("le jeudi à 10h le marché": with its article, the market, not "ça marche")
    return match is not None and (match.group(1) == "marche" or _is_thing(match.group(1)))


# "je pars chez ma fille du 5 au 12", "absente du 20 au 27", "en cure du 7 au 21": days
# away (never "ouvert du 5 au 12", nor a call asked in the same clause)
_TRIP_RE = re.compile(r"\bdu (\d{1,2})(?:er)? (?:au|jusqu au) (\d{1,2})(?:er)?\b"
                      r"(?! ?(?:h\b|heures?\b|:))")
_AWAY_RE = re.compile(
    r"\b(?:je pars|je partirai|on part|nous partons|(?:il|elle) part|je serai (?:partie?|absente?|"
    r"chez|a|au|en)|(?:il|elle) sera (?:partie?|absente?|chez|a|au|en)|absente?s?|"
    r"en (?:vacances|voyage|cure|sejour|deplacement|convalescence|stage)|hospitalisee?|"
    r"a l hopital|chez (?:ma|mon|mes|sa|son|ses) \w+)\b")


def _trip_days(clause: "_Clause", today: date) -> List[date]:
    """The days of a stay away told in a clause ("je pars à Lyon du 5 au 12")."""
    trip = _TRIP_RE.search(clause.text)
    if not trip or not _AWAY_RE.search(clause.text) or _CALL_WORDS_ONLY_RE.search(clause.text):
        return []
    first, _ = day_in(f"le {trip.group(1)}", today)
    last, _ = day_in(f"le {trip.group(2)}", today)
    if first is None or last is None or not 0 <= (last - first).days <= 45:
        return []
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# "je mange tard moi, vers une heure et demie", "on dîne à 19h", "je fais la sieste
# vers 14h": the person's own routine, with its hour
_OWN_ROUTINE_RE = re.compile(
    r"^ *(?:(?:et|mais|car|parce que|parce qu|puisque|comme|vu que|sinon) )?(?:moi )?"
    r"(?:je|j|on|nous) (?:ne |n )?(?:mange|mangeons|dejeune|dejeunons|dine|dinons|soupe|goute|"
    r"passe a table|passons a table|fais (?:ma|la) sieste|faisons la sieste|me couche|"
    r"me leve|prends (?:mon|le) (?:repas|dejeuner|diner|gouter|bain)|"
    r"prends mes (?:cachets|medicaments|gouttes))\b")


def _routine_weekdays(before: str) -> List[int]:
    """The weekdays of a routine told in the sentence before a busy window ("je
    suis dialysé lundi mercredi vendredi, [le taxi vient à 7h...]"): several of
    them, or one said as a habit ("le mardi", "les mardis", "tous les mardis").
    """
    sentence = re.split(r"[.;!?]", before)[-1]
    if _CALL_RE.search(re.sub(r"\bvers\b", " ", sentence)):
        return []
    named = {WEEKDAYS.index(m.group(1)) for m in re.finditer(
        r"\b(" + "|".join(WEEKDAYS) + r")s?\b", sentence)}
    habit = re.search(r"\b(?:les|le|tous les|chaque) (?:" + "|".join(WEEKDAYS) + r")s?\b",
                      sentence)
    return sorted(named) if len(named) > 1 or (named and habit) else []


def _routine_hour(clauses: Sequence["_Clause"], clause: "_Clause") -> bool:
    """Whether a clause's hour is the person's routine: told with it ("je mange
    vers 13h30") or just after it, alone and rough ("je mange tard moi, vers une
    heure et demie"; never "je mange tôt. 17h30", the moment decided).
    """
    if _OWN_ROUTINE_RE.match(clause.text):
        return True
    at = _at(clauses, clause)
    before = clauses[at - 1] if at else None
    return before is not None and not before.timed and bool(_OWN_ROUTINE_RE.match(before.text)) \
        and bool(re.fullmatch(r" *(?:vers|sur les|autour de|aux alentours de|environ) "
                              r"\d{1,2}h\d{0,2}(?: (?:environ|pile|passees?))? *", clause.text))


def _hour_refused_beside(clauses: Sequence["_Clause"], clause: "_Clause") -> Optional[dtime]:
    """The hour refused in a clause of its own just before or after a day taken
    ("pas à 14h, mardi j'ai l'ambulance"): what the day's thing takes.
    """
    at = _at(clauses, clause)
    for other in [*clauses[max(at - 1, 0):at], *clauses[at + 1:at + 2]]:
        if other.negated and other.hour is not None and other.day is None \
                and other.relative is None and re.match(
                    r" *(?:(?:mais|et|donc|surtout) )?pas (?:a |vers )?\d{1,2}h\d{0,2}\b"
                    r" *$", other.text):
            return other.hour
    return None


def _refusing(clause: "_Clause") -> bool:
    """A negated clause that is the person's own refusal."""
    return clause.negated and (clause.timed or not (
        _OTHERS_SUBJECT_RE.search(clause.text) and not _FIRST_PERSON_RE.search(clause.text)))


_SHIFT_RE = re.compile(r"\b(surlendemain|lendemain|veille|(?:deux|2|trois|3|quatre|4|cinq|5) "
                       r"jours (?:apres|plus tard|avant|plus tot))\b")
_SHIFT_WORDS = {"surlendemain": 2, "lendemain": 1, "veille": -1, "deux": 2, "2": 2, "trois": 3,
                "3": 3, "quatre": 4, "4": 4, "cinq": 5, "5": 5}


def _shift_days(match: "re.Match[str]") -> int:
    """Days from the anchor: "lendemain" 1, "deux jours avant" -2."""
    words = match.group(1).split()
    return _SHIFT_WORDS[words[0]] * (-1 if words[-1] in ("avant", "tot") else 1)


_FEAST_THINGS_RE = re.compile(
    r"\b(colis|marche|repas|vacances|sapin|cadeaux?|fetes?|decorations?|menu|gouter|"
    r"spectacle|concert|distribution|arbre|chants?|courses|conge|conges|treve|pere) "
    r"(?:de|du) (?:noel|nouvel an|jour de l an)\b")
_HOLIDAY_RE = re.compile(r"\b(?:" + "|".join(p for p, _ in HOLIDAYS) + r")\b")


def day_in(text: str, today: date) -> Tuple[Optional[date], str]:
    """The day mentioned (None if none) and what is left of the text."""
    # "même heure qu'aujourd'hui": an hour told from today, not today's date
    text = re.sub(r"\b(meme (?:heure|horaire)) (?:qu aujourd ?hui|que ce jour|que maintenant)\b",
                  r"\1", text)
    eight = re.search(r"\b(aujourd ?hui|demain) en (huit|quinze)\b", text)
    if eight:
        # "aujourd'hui en huit": a week from today; "en quinze": two weeks
        return today + timedelta(days=(1 if eight.group(1) == "demain" else 0)
                                 + (7 if eight.group(2) == "huit" else 14)), ""
    # "la distribution des colis de Noël": a thing of the feast, not its day
    text = _FEAST_THINGS_RE.sub(r"\1", text)
    before_after = re.search(r"\b(" + "|".join(WEEKDAYS) + r") (?:juste )?(avant|apres) (.+)",
                             text)
    if before_after:
        # "le lundi avant Noël", "le mardi après le 15": that weekday before (or
        # after) the day named
        anchor, _ = day_in(before_after.group(3), today)
        if anchor is not None and not _WEEKDAY_WORD_RE.search(before_after.group(3)):
            index = WEEKDAYS.index(before_after.group(1))
            if before_after.group(2) == "avant":
                near = anchor - timedelta(days=(anchor.weekday() - index - 1) % 7 + 1)
            else:
                near = anchor + timedelta(days=(index - anchor.weekday() - 1) % 7 + 1)
            if near >= today:
                return near, ""
    shifted = _SHIFT_RE.search(text)
    named = _HOLIDAY_RE.search(text)
    if shifted and not (named and named.start() <= shifted.start() < named.end()):
        # ("le lendemain de Noël" is a feast of its own; "le lendemain du jour de l'an",
        # "deux jours avant Noël" are days from a feast)
        # "le lendemain de mon rendez-vous, qui est le mercredi 9": the day after
        anchor, _ = day_in(text[:shifted.start()] + " " + text[shifted.end():], today)
        if anchor is not None:
            near = anchor + timedelta(days=_shift_days(shifted))
            if near >= today:
                return near, ""
    if re.search(r"\b(aujourd ?hui|ce matin|cet apres[ -]?midi|ce soir|ce midi|tout a l heure|"
                 r"tantot|cette apres[ -]?midi|cet aprem|ce aprem)\b", text):
        return today, ""
    holiday = _HOLIDAY_RE.search(text)
    if holiday and not re.search(r"\b\d{1,2}(?:er)? (?:" + "|".join(MONTHS) + r")\b", text) \
            and not re.search(r"\b(?:" + "|".join(WEEKDAYS) + r") \d{1,2}(?:er)?\b(?! ?h)", text):
        # (a date told in full wins: "part le 20 décembre, revient après le jour de l'an";
        # so does a weekday with its date: "le mercredi 23 à 10h avant que ma fille
        # arrive pour Noël", "le lundi 28 entre Noël et le jour de l'an")
        # "le lendemain de Noël", "le jour de l'an": the next one to come.
        month, day = next(md for pattern, md in HOLIDAYS if re.fullmatch(pattern,
                                                                         holiday.group(0)))
        feast = date(today.year, month, day)
        return (feast if feast >= today else date(today.year + 1, month, day)), ""
    if re.search(r"\bapres[ -]?demain\b", text):
        return today + timedelta(days=2), ""
    if re.search(r"\bdemain\b", text):
        return today + timedelta(days=1), ""
    if re.search(r"\bhier\b|\bavant[ -]?hier\b", text):
        return today - timedelta(days=1), ""
    said = sorted((m.start(), index) for index, name in enumerate(WEEKDAYS)
                  for m in [re.search(rf"\b{name}\b", text)] if m)
    if re.search(r"\b(?:ce |le )?week ?end\b", text) and not said:
        said = [(0, 5)]  # the weekend: Saturday
    dated = re.search(r"\b(?:" + "|".join(WEEKDAYS) + r") (\d{1,2})(?:er)?(?: ("
                      + "|".join(MONTHS) + r"))?\b(?!\s*[/:h])", text)
    if said and not dated:
        # "je voulais dire le 13, le dimanche": the date told beside the weekday
        number = _DAY_OF_MONTH_RE.search(text)
        if number and 1 <= int(number.group(1)) <= 31:
            found, _ = day_in(f"le {number.group(1)} {number.group(2) or ''}".strip(), today)
            if found is not None and found.weekday() == said[0][1]:
                return found, ""
    if said and dated and 1 <= int(dated.group(1)) <= 31:
        # "vendredi 11 décembre", "mardi 8": the date says which of the weekdays.
        found, _ = day_in(f"le {dated.group(1)} {dated.group(2) or ''}".strip(), today)
        if found is not None:
            return found, ""
    if said:
        index = said[0][1]  # the first day said ("mardi ou jeudi": Tuesday)
        ahead = (index - today.weekday()) % 7 or 7
        if re.search(r"\bsemaine (?:prochaine?|d apres|suivante)\b", text):
            # "vendredi de la semaine prochaine": that weekday in next calendar
            # week (on a Thursday, Friday week, not tomorrow).
            return today + timedelta(days=7 - today.weekday() + index), ""
        if re.search(r"\ben quinze\b", text):
            ahead = ahead % 7 + 14  # "jeudi en quinze" (on a Thursday: two weeks on)
        elif re.search(r"\ben huit\b|\b(?:" + "|".join(WEEKDAYS) + r") (?:d apres|suivant)\b",
                       text) and ahead < 7:
            ahead += 7  # "lundi en huit", "le lundi d'après"
        return today + timedelta(days=ahead), ""
    slash = re.search(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b", text)
    if slash:
        day, month = int(slash.group(1)), int(slash.group(2))
        year = int(slash.group(3)) if slash.group(3) else today.year
        year += 2000 if year < 100 else 0
        try:
            found = date(year, month, day)
        except ValueError:
            return None, text
        if not slash.group(3) and found < today:
            found = date(year + 1, month, day)
        return found, ""
    match = _DAY_OF_MONTH_RE.search(text)
    if match and 1 <= int(match.group(1)) <= 31:
        day = int(match.group(1))
        if match.group(2):
            month = MONTHS.index(match.group(2)) + 1
            candidates = [(today.year, month), (today.year + 1, month)]
        else:
            candidates = [(today.year, today.month)]
            nxt = today.replace(day=1) + timedelta(days=32)
            candidates.append((nxt.year, nxt.month))
        for year, month in candidates:
            try:
                found = date(year, month, day)
            except ValueError:
                continue
            if found >= today:
                return found, ""
        return None, text
    if re.search(r"\bsemaine prochaine\b", text):
        return today + timedelta(days=7 - today.weekday()), ""
    leftover = re.sub(FILLERS, " ", text)
    leftover = re.sub(r"[^\w/ ]", " ", leftover).strip()
    if not leftover or len(leftover.split()) > 3 or not re.search(
            r"\d|" + "|".join(MONTHS) + r"|semaine|mois|week", leftover):
        return None, ""
    if not re.search(r"\d", leftover) and re.search(r"\b(?:" + "|".join(MONTHS) + r")\b",
                                                    leftover):
        return None, ""  # "décembre, oui": a month is not a day
    parsed = dateparser.parse(
        leftover, languages=["fr"],
        settings={"PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY",
                  "RELATIVE_BASE": datetime.combine(today, dtime(12, 0)),
                  "REQUIRE_PARTS": []},
    )
    if parsed is None or re.search(r"\bans?\b", leftover) \
            or not today <= parsed.date() <= today + timedelta(days=366):
        return None, ""  # "88 ans": an age, not a day in 2114
    return parsed.date(), ""


# "ni lundi ni mardi", "ni demain à 10h ni un autre jour": both moments refused
_NEITHER_RE = re.compile(r" *(?:(?:non|mais|et|donc) )?ni (?:le |la |l |a |au )?(?:demain|"
                         r"apres demain|aujourd hui|ce|cet|cette|\d{1,2}h\d{0,2}|\d|"
                         + "|".join(WEEKDAYS) + r")\b")


@dataclass
class _Clause:
    """One clause's reading."""

    text: str
    day: Optional[date] = None
    hour: Optional[dtime] = None
    part: Optional[dtime] = None
    relative: Optional[datetime] = None
    relative_precise: bool = False
    negated: bool = False
    past: bool = False
    call: bool = False
    guessed: bool = False

    @property
    def timed(self) -> bool:
        return any(v is not None for v in (self.day, self.hour, self.part, self.relative))


def _bare_day(clause: _Clause) -> bool:
    """"le jeudi 10": a day said alone, no hour, no call, no refusal."""
    return clause.day is not None and clause.hour is None and clause.part is None \
        and clause.relative is None and not clause.call and not clause.negated \
        and bool(_DAY_ENDS_RE.search(clause.text))


# "je rectifie : le jeudi 10", "demain": a clause that ends on the day it names
_DAY_ENDS_RE = re.compile(r"\b(?:demain|(?:" + "|".join(WEEKDAYS) + r")(?: \d{1,2}(?:er)?)?"
                          r"(?: (?:" + "|".join(MONTHS) + r"))?) *$")


def _day_just_before(clauses: Sequence[_Clause], clause: _Clause) -> Optional[date]:
    """The day of the clause before a part of the day taken or refused with no day of
    its own ("le jeudi 10, j'ai le podologue tout l'après-midi"), if there is one.
    """
    index = _at(clauses, clause)
    if index == 0 or clause.day is not None or clause.hour is not None \
            or clause.part is None or clause.call:
        return None
    if not (clause.negated or _TAKEN_RE.search(clause.text)):
        return None
    before = clauses[index - 1]
    if before.hour is not None or before.part is not None or before.call \
            or before.negated or before.relative is not None:
        return None
    if _bare_day(before) or (before.day is not None and _TAKEN_RE.search(before.text)):
        return before.day
    return None


def _day_of_hour_taken(clauses: Sequence[_Clause], clause: _Clause) -> Optional[date]:
    """The day of an hour taken with no day of its own, when the timed clause before
    it names a day alone and a clause after it asks another day with an hour.
    """
    index = _at(clauses, clause)
    if clause.day is not None or clause.hour is None or clause.call:
        return None
    before = next((c for c in reversed(clauses[:index]) if c.timed), None)
    if before is None or before.day is None or before.hour is not None \
            or before.part is not None or before.call or before.negated \
            or before.relative is not None:
        return None
    if any(c.day not in (None, before.day) and c.hour is not None and not c.negated
           for c in clauses[index + 1:]):
        return before.day
    return None


def _at(clauses: Sequence[_Clause], clause: _Clause) -> int:
    """Where this very clause sits (two clauses may read alike: "mardi 14h. mardi 14h")."""
    return next(i for i, c in enumerate(clauses) if c is clause)


# "il a le portage des repas vers 11h30", "j'ai la kiné vers 14h": someone's thing
# about that hour; "vers" there asks for nothing ("j'ai un créneau vers 15h" does).
_THING_AROUND_RE = re.compile(
    r"^(?:(?:et|mais|puis|sinon) )?(?:j ai|jai|il a|elle a|on a|ils ont|elles ont|"
    r"j aurai|il aura|elle aura) (?:deja |aussi |toujours )?(?:le|la|l|les|mon|ma|mes|son|sa|ses)"
    r" (?!creneau|creux|trou|moment|temps)[^,.;!?]*?\bvers(?= (?:\d|midi))")


# "dimanche midi après la messe de 10h30", "à 15h après la sieste de 13h": the hour of
# the event told beside the call's moment is the event's
_EVENT_HOUR_RE = re.compile(
    r"\b(?:apres|avant|en sortant|a la sortie|au retour) (?:le|la|l|les|mon|ma|mes|son|sa|"
    r"ses|notre|nos|du|des|de la|de l) (?!(?:appel|rappel|coup|midi)\b)[a-z]+(?: [a-z]+){0,2}? "
    r"(?:de|d|a) \d{1,2} ?h(?: ?\d{2})?\b")
_OTHER_HOUR_RE = re.compile(r"\b\d{1,2} ?h(?: ?\d{2})?\b|(?<!apres )(?<!apres-)\bmidi\b|"
                            r"\bminuit\b")


def _read_clause(text: str, now: datetime) -> _Clause:
    clause = _Clause(text)
    rest = text
    event = _EVENT_HOUR_RE.search(rest)
    if event and _OTHER_HOUR_RE.search(rest[:event.start()] + " " + rest[event.end():]):
        rest = rest[:event.start()] + " " + rest[event.end():]
    relative = _relative(rest, now)
    if relative is not None:
        clause.relative, clause.relative_precise = relative
        rest = _IN_RE.sub(" ", rest)
    hour_match = _HOUR_RE.search(rest)
    if hour_match and int(hour_match.group(1)) <= 23 and int(hour_match.group(2) or 0) <= 59:
        clause.hour = dtime(int(hour_match.group(1)), int(hour_match.group(2) or 0))
        # every hour goes ("plutôt 10h30 ou 11h"): a second one is not a date
        rest = _HOUR_RE.sub(" ", rest)
    else:
        vers = _VERS_RE.search(rest)
        if vers and 7 <= int(vers.group(1)) <= 21:
            clause.hour = dtime(int(vers.group(1)), 0)
            rest = rest[:vers.start()] + " " + rest[vers.end():]
    for pattern, default in PARTS_OF_DAY:
        if re.search(rf"\b(?:{pattern})\b", rest):
            clause.part = default
            rest = re.sub(rf"\b(?:{pattern})\b", " ", rest)
            break
    said_part = clause.part
    if clause.hour is not None and 1 <= clause.hour.hour <= 6 and clause.part is None \
            and not re.search(r"\b(?:du matin|de la nuit|cette nuit|la nuit)\b", text):
        # "vers 3h": nobody asks for a call at 3 in the night; 15h, to be confirmed.
        clause.hour = clause.hour.replace(hour=clause.hour.hour + 12)
        clause.guessed = True
    if clause.hour is not None and clause.part is not None:
        if clause.hour.hour < 12 <= clause.part.hour and clause.part != dtime(12, 0):
            clause.hour = clause.hour.replace(hour=clause.hour.hour + 12)  # "3h de l'aprem"
        clause.part = None
    if clause.hour is None and clause.part == dtime(12, 0):
        clause.hour, clause.part = clause.part, None  # "midi" is a time
    rest = rest.replace("numero de service", " ")
    if clause.relative is not None and not clause.relative_precise:
        clause.day = clause.relative.date()
        clause.relative = None
    elif clause.relative is None:
        # "the bus drops me home around 4": "vers 4" is an hour (left unread), not the 4th
        rest = re.sub(r"\bvers [1-6]\b(?!\s*(?:er\b|/|" + "|".join(MONTHS) + r"))", " ", rest)
        clause.day, _ = day_in(rest, now.date())
        if _THAT_ONE_NEXT_WEEK_RE.search(text) and not re.search(
                r"\d|" + "|".join(WEEKDAYS), text):
            # "jeudi ? celui de la semaine prochaine": the day talked about, a week on
            # (not the Monday of the week named)
            clause.day = None
        # ("cette fin d'après-midi" is today; "vers 5h de l'après-midi, ce serait
        # parfait" is no day)
        if clause.day is None and said_part is not None and re.search(
                r"\b(?:ce|cet|cette)(?: \w+){0,2} (?:apres ?midi|aprem|soir|soiree|matin|"
                r"matinee|midi|nuit)\b", text):
            clause.day = now.date()
    clause.past = bool(_PAST_RE.search(_ONCE_BACK_RE.sub(" ", text))) or (
        clause.day is not None and clause.day < now.date())
    clause.negated = bool(_NEGATION_RE.search(_HARMLESS_PAS_RE.sub(" ", text))
                          # ("à 6 heures non", "l'après-midi non": that moment refused)
                          or re.search(r"^\w+(?: \w+){0,2} non$", text.strip())
                          or _NEITHER_RE.match(text)) \
        and not _NOT_BEFORE_RE.search(text) \
        and not re.match(r"\s*plutot\b", text)
    if clause.hour is not None:
        # "15h ce samedi qui vient": a moment with its hour ("samedi qui vient, ma fille
        # m'emmène" alone is the day of what follows)
        rest = re.sub(r"\ba venir\b", " ", rest)
    clause.call = bool(_CALL_RE.search(CALLING_A_SERVICE_RE.sub(" ", text))) or not re.sub(
        r"\b\w\b", " ", re.sub(FILLERS, " ", _TIME_WORDS_RE.sub(" ", rest))).split()
    return clause


# "j'appelle le 115 à 18h30", "i call the 115": a moment for calling a service.
CALLING_A_SERVICE_RE = re.compile(
    r"\b(?:j |je |i |on |tu )?(?:r?appel\w*|call\w*|telephon\w*|compos\w*|fais|fait) "
    r"(?:le |au |the )?numero de service\b|"
    # "le 115 m'a dit de rappeler demain à 8h": the person's own call to the service
    r"\bnumero de service (?:m a|m ont|nous a|nous ont) (?:dit|demande|conseille) de "
    r"(?:r?appel\w*|telephon\w*|revenir)\b")
# "mon fils m'appelle tous les dimanches à 15h", "elle m'appellera tous les soirs à
# 19h": someone else's call, not one asked of the team (that moment is taken).
_OTHERS_CALL_RE = re.compile(
    r"\b(?:mon|ma|mes|son|sa|ses|notre|nos) (?!benevole|ecoutant|equipe)\w+ (?:\w+ )?"
    r"(?:m|me|nous) ?(?:r?appel\w*|telephon\w*)|"
    # ("qu'elle m'appelle à 16 heures": a wish, said of the volunteer)
    r"(?<!qu )\b(?:il|elle|ils|elles) (?:va |vont )?(?:m|me|nous) ?(?:r?appel\w*|telephon\w*)|"
    # "une psychologue m'appelle le mardi à 14h", "l'infirmière me téléphone tous les
    # matins": someone else's calls, a habit told in the present (never "que la
    # bénévole m'appelle mardi", a wish)
    r"(?<!qu )(?<!que )\b(?:un|une|le|la|l|les|des) (?!(?:benevole|ecoutant|equipe|personne)\w*\b)"
    r"[a-z]{3,} (?:[a-z]{3,} )?(?:m|me|nous) ?(?:r?appellent|r?appelle|telephonent|telephone) "
    r"(?:deja |toujours |souvent |regulierement )?(?:le (?:" + "|".join(WEEKDAYS) + r")|"
    r"les (?:" + "|".join(WEEKDAYS) + r")s|tous les|toutes les|chaque)\b|"
    # "l'assistante sociale elle appel moi lundi" (French learnt late)
    r"\b(?:il|elle|ils|elles) (?:va |vont )?(?:r?appel\w*|telephon\w*) (?:moi|nous)\b|"
    r"\bqui (?:m|me|nous) ?(?:appel\w*|telephon\w*)|"
    # "ils téléphonent déjà le mardi et le jeudi" (the town hall's calls): a habit of
    # others
    r"\b(?:ils|elles) (?:(?:m|me|nous) )?(?:r?appellent|telephonent) (?:deja|toujours|souvent|"
    r"chaque|tous les|le (?:" + "|".join(WEEKDAYS) + r"))\b|"
    # "ma fille ayant pris l'habitude de me téléphoner le dimanche soir": a habit
    r"\bhabitude de (?:m|me|nous) ?(?:r?appel\w*|telephon\w*)|"
    # "moi je l'appellerai le soir": the writer's own call to the person
    r"\bje (?:l|la|le|les|lui|leur) ?(?:appel\w*|rappel\w*|telephon\w*)|"
    # "j'appellerai la mairie lundi à 9h", "je vais téléphoner à mon notaire demain à
    # 10h": the writer's own call to someone else (never "je rappellerai la semaine
    # prochaine", "j'appelle au sujet de lundi", nor a call to the volunteer)
    r"\b(?:je|j) (?:vais |dois |devrai |compte |pense )?(?:r?appel\w*|telephon\w*) "
    r"(?:a |au |aux )?(?:la|le|l|les|mon|ma|mes|son|sa|ses|notre|nos) "
    r"(?!(?:benevoles?|ecoutante?s?|equipe|association|sujet|nom|numero de service|matin|soir|"
    r"soiree|midi|apres|semaine|journee|week|lendemain|veille|jour|mois|fois|"
    + "|".join(WEEKDAYS) + r")\b)[a-z]{3,}")
# "je voudrais bien que la dame elle me rappelle samedi": a wish, not a habit
_WISH_RE = re.compile(r"\b(?:voudrais|voudrai|aimerais|aimerai|souhaite|souhaiterais|veux bien|"
                      r"faudrait|pourrait|puisse|pourriez|pouvez|peut|peux)\b")
# "je viens de me rappeler que lundi...": remembering, not a call back
_REMEMBER_RE = re.compile(r"\b(?:me|m|te|se|nous) (?:rappel\w*) (?:que|qu)\b")
# "tous les jeudis", "le mardi je vais au club": a weekly habit's day.
_HABIT_DAYS_RE = re.compile(r"\b(?:tous les|chaque) (?:" + "|".join(WEEKDAYS) + r")s?\b|"
                            r"^(?:le )?(?:" + "|".join(WEEKDAYS) + r")s? (?:je|j|on|il|elle)\b")
# "je rentre du travail vers 17h30": busy until then, not the moment asked.
_CALL_WORDS_ONLY_RE = re.compile(r"\b(?:r?app?ell?\w*|telephon\w*|coup de fil)\b")
_BACK_AT_RE = re.compile(r"\bje (?:rentre|rentrerai|reviens|reviendrai|finis|finirai|termine|"
                         r"terminerai|sors|sortirai|serai (?:rentree?|de retour|revenue?)|"
                         r"suis de retour)\b|"
                         # for someone else: "elle sera réveillée vers 14h", "il sera
                         # rentré (le minibus le dépose à 15h15)": not before then
                         r"\b(?:il|elle) (?:rentre|rentrera|sera (?:rentree?|de retour|revenue?|"
                         r"reveillee?|levee?|debout))\b|"
                         r"\bje serai (?:reveillee?|levee?|debout)\b")
# What a bare moment is made of ("jeudi prochain dans l'après-midi").
_TIME_WORDS_RE = re.compile(
    r"\b(?:a cette heure ci|a l heure qu il est|"
    + "|".join(WEEKDAYS + MONTHS) + r"|demain|apres demain|aujourd hui|ce|cet|"
    r"cette|prochain|prochaine|semaine|dans|en huit|week end|matin|soir|midi|"
    r"pas avant|a partir de|apres|avant|entre|noel|veille|lendemain|surlendemain|reveillon|"
    r"jour de l an|nouvel an|saint sylvestre|"
    # "le 12/12 à 11h": a date written with its month
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?|"
    r"\d+(?:er)?|h|jours?|heures?|minutes?|numero de service)\b")


# A length of time that moves the hour talked about: "une heure plus tard",
# "une demi-heure plus tôt", "avancer d'un quart d'heure", "reculer de 2h".
_SPAN = (r"(?P<span>\d{1,2}h(?:\d{2})?|une demie? heure|1 demie? heure|un quart d heure|"
         r"trois quarts d heure|\d{1,3} ?(?:minutes?|min|mn))")
_HOUR_SHIFT_RE = re.compile(
    r"\b(?:(?P<earlier_verb>avanc\w*)|(?P<later_verb>recul\w*|retard\w*|decal\w*|repouss\w*))"
    r" (?:l appel |le rdv |le rendez vous |ca |le |l )?(?:de |d )" + _SPAN + r"\b"
    r"|\b" + _SPAN.replace("span", "span2") + r" (?:de )?plus (?P<dir>tard|tot)\b")


def _shift_minutes(match: "re.Match[str]") -> int:
    """The minutes of a shift found by _HOUR_SHIFT_RE (negative: earlier)."""
    span = match.group("span") or match.group("span2")
    if "demi" in span:
        minutes = 30
    elif "trois quarts" in span:
        minutes = 45
    elif "quart" in span:
        minutes = 15
    elif "h" in span and not re.search(r"min|mn", span):
        hours, _, rest = span.partition("h")
        minutes = int(hours) * 60 + int(rest or 0)
    else:
        minutes = int(re.match(r"\d+", span).group(0))  # type: ignore[union-attr]
    earlier = bool(match.group("earlier_verb")) or match.group("dir") == "tot"
    return -minutes if earlier else minutes


# "... mais non, finalement", "oubliez": the request taken back (not "je vous dirai
# pour le chat" after it)
_TURNAROUND_RE = re.compile(r"\b(?:non|nan|finalement|en fait|enfait|tout compte fait|oubli\w*|"
                            r"laiss\w*(?! (?:sonner|longtemps|un message|le telephone|"
                            r"des messages))|an+ul+\w*|n en faites rien|"
                            # "... vers 19h justement. On arrête là pour l'appel", "de
                            # 9h à 16h... Supprimez"
                            r"supprim\w*|suspend\w*|arret\w* la|plus d actualite)\b")
_BACK_TO_THAT_MOMENT_RE = re.compile(
    r"\b(?:a cette heure la|a cette heure ci|a ce moment la|a ce moment|a la place|ce creneau|"
    r"le meme creneau|meme heure|a la meme heure|cet horaire)\b")
_CORRECTS_RE = re.compile(r"\b(?:plutot|attendez|finalement|en fait|c est mieux)\b")
_CORRECTION_START_RE = re.compile(r"^ *(?:(?:ah|oh|euh|pardon|oups|enfin) )?(?:non|nan|plutot|"
                                  r"finalement|en fait|attendez|je veux dire|"
                                  # "pardon elle s'est trompée c'est mercredi 16 à 10h"
                                  r"(?:je me suis|je m suis|elle s est|il s est|on s est) "
                                  r"trompee?s?|"
                                  r"je voulais (?:ecrire|mettre|taper|marquer)|correction|retenons|"
                                  r"va pour|choisissons|je choisis|je prends|gardons|donc|"
                                  r"idealement|"
                                  # "non pas demain, l'autre, le 11 à 10h": the other
                                  # day of the two, after the one refused
                                  r"l autre(?! (?:jour|fois|semaine|soir|matin))|"
                                  r"de preference|dans l ideal)\b")
# "demain à 18h alors", "donc mardi 15h": the moment decided after the reasons
_DECIDED_RE = re.compile(r"^ *(?:(?:bon|ben|eh bien) )?(?:donc|alors|du coup|gardez|gardons)\b|"
                         r"\b(?:alors|donc|du coup)(?: ca (?:irait|ira|me va)| c est bon| ok)?"
                         r" *[.!]* *$")
# "je prends mes gouttes à 8h": something taken, not a moment chosen
_TAKING_SOMETHING_RE = re.compile(r"^ *(?:je prends|je choisis) (?:mes|mon|ma|le|la|les|l|un|"
                                  r"une|des|du|son|sa|ses)\b")
# "..., c'est le mieux pour moi", "ça tombe bien", "je suis tranquille": what was
# just told makes the moment suit
_SUITS_RE = re.compile(r"^ *(?:(?:et|donc|alors) )?(?:c est|c|ce sont|ca c est|c est la que|la) "
                       r"(?:(?:le|la) )?(?:mieux|meilleur moment|meilleure heure|bon moment|ideal|"
                       r"moment ideal|plus calme|plus tranquille)\b|"
                       r"^ *(?:(?:et|donc|alors) )?(?:ca tombe bien|"
                       r"je suis (?:plus )?(?:tranquille|libre|au calme))\b")
_DECIDED_ALONE_RE = re.compile(r"^ *(?:alors|donc|du coup)\b *[.!]* *$")
# "je mange à midi pile", "j'ai le kiné à 10h", "il y a la messe": a reason told
_REASON_RE = re.compile(r"^ *(?:(?:car|parce que|parce qu|puisque|comme) )?"
                        r"(?:je|j|on|il y a|y a|c est|ma|mon|mes)\b")
_BECAUSE_RE = re.compile(r"^ *(?:(?:et|mais) )?(?:parce que|parce qu|car|puisque|vu que|"
                         r"etant donne que)\b")
_BEFORE_DOING_RE = re.compile(r"^ *(?:juste )?avant (?:de|d|que|qu) (?!(?:\d|midi)\b)")
_EVENT_AT_RE = re.compile(r"^(?:juste )?(?:apres|avant|pendant) (?:le|la|les|l|mon|ma|mes) "
                          r"[a-z ]{2,30}\b(?:de|d|a) \d{1,2}h")


# "je rentre vers 13h le lundi, mercredi et vendredi": a habit's weekdays listed
_WEEKDAY_LIST_RE = re.compile(r"\b(?:le|les|tous les|chaque) (?:" + "|".join(WEEKDAYS) + r")s?"
                              r"(?:, (?:" + "|".join(WEEKDAYS) + r")s?)+ et (?:le |les )?"
                              r"(?:" + "|".join(WEEKDAYS) + r")s?\b")


_THINGS_DAYS_RE = re.compile(
    r"\b(?:il a|elle a|ils ont|elles ont|j ai|on a|nous avons) (?:deja |aussi |toujours )?"
    r"(?:le|la|l|les|son|sa|ses|mon|ma|mes|leur|leurs|notre|nos) [a-z]+(?: [a-z]+)? "
    r"(?:le |les |tous les )?(?:" + "|".join(WEEKDAYS) + r")s?(?:, (?:" + "|".join(WEEKDAYS)
    + r")s?)+ et (?:le |les )?(?:" + "|".join(WEEKDAYS) + r")s?\b")


# "ah mince mardi ...", "bon demain ...": words before what a clause tells
_LEAD_IN_RE = re.compile(r"^(?:(?:ah|oh|bah|ben|bon|mince|zut|et|mais|alors|sauf que) )*"
                         r"(?:(?:le )?(?:" + "|".join(WEEKDAYS) + r"|demain)(?: \d{1,2})? )?")
# "..., donc avant", "alors juste avant": the moment is before what was just told
# "14h-17h", "de 9h à 11h30": hours from one to the other, in a clause of their own
_WINDOW_ALONE_RE = re.compile(r"^(?:de |entre )?(\d{1,2})h(\d{2})? (?:a |et |jusqu a )?"
                              r"(\d{1,2})h(\d{2})?$")
_BEFORE_RETURN_RE = re.compile(r"(?:^ *|\b(?:donc|alors|du coup) )(?:plutot |juste |un peu )?avant"
                               r"(?: ca| cela| son retour| qu il rentre| qu elle rentre)? *$")
# "jusqu'à Noël", "jusqu'au 15": the end of a stretch of time
_UNTIL_DAY_RE = re.compile(r"\bjusqu (?:a|au|a la) (?!\d{1,2} ?h)")


def read_at(text: str, now: datetime) -> Proposal:
    """Read a whole message about the moment of a call (``now``: in the person's timezone)."""
    # "décaler à vendredi", "plutôt à demain": a moment, not a farewell.
    folded = _MOVED_TO_RE.sub(r"\1 \2", _drop_asides(normalise(text)))
    # "je rentre vers 13h le lundi, mercredi et vendredi", "tous les mardis, jeudis et
    # samedis": the weekdays of a habit, listed after their article, are one phrase
    # (the commas between them end no clause, the last of them is no day asked)
    folded = _WEEKDAY_LIST_RE.sub(lambda m: m.group(0).replace(",", ""), folded)
    # "il a la dialyse mardi, jeudi et samedi": the days of someone's thing, listed
    # after it, are one phrase (the last of them is no day asked)
    folded = _THINGS_DAYS_RE.sub(lambda m: m.group(0).replace(",", ""), folded)
    # "la semaine prochaine, le même jour qu'aujourd'hui": today's weekday
    folded = _TODAYS_WEEKDAY_RE.sub(WEEKDAYS[now.weekday()], folded)
    shift = _HOUR_SHIFT_RE.search(folded)
    hour_shift = _shift_minutes(shift) if shift else None
    if hour_shift is not None and abs(hour_shift) > 240:
        hour_shift = None  # "14h plus tard" is not a length of time
    if hour_shift is not None:
        folded = _HOUR_SHIFT_RE.sub(" ", folded)
    folded = _FAREWELL_RE.sub(" ", folded).strip()
    # "dispo tous les après-midi sauf le lundi": that day refused, in a clause of its own
    # ("sauf mardi jeudi samedi matin": each of them)
    # "quand vous voulez, sauf à midi": that hour refused, the rest free
    folded = _EXCEPT_HOUR_RE.sub(r", mais pas a \1", folded)
    folded = _EXCEPT_DAYS_RE.sub(
        lambda m: ", " + ", ".join("pas le " + d for d in _WEEKDAY_NAME_RE.findall(m.group(1))),
        folded)
    refused_hours: List[dtime] = []
    back_hours: List[dtime] = []
    # a part of the day refused, and the hours of it said after it ("elle entend mal
    # le matin..., donc pas à 8h ni à 9h": those hours only)
    part_refused: List[dtime] = []
    hours_meant: List[dtime] = []
    # hours busy on some weekdays only: (weekday, hour)
    weekday_refusals: List[Tuple[int, dtime]] = []
    for window in _BUSY_RE.finditer(folded):
        start = dtime(min(int(window.group(1)), 23), min(int(window.group(2)), 59))
        end = dtime(min(int(window.group(3)), 23), min(int(window.group(4)), 59))
        busy = [h for h in _CALL_HOURS if start <= h < end]
        weekdays = _routine_weekdays(folded[:window.start()])
        if weekdays:
            # "je suis dialysé lundi mercredi vendredi, le taxi vient à 7h et je rentre
            # vers 13h": those hours are those days' (see below)
            weekday_refusals.extend((w, h) for w in weekdays for h in busy)
        else:
            refused_hours.extend(busy)
    folded = _BUSY_RE.sub(" ", folded).strip()
    if not folded:
        return Proposal(refused_hours=tuple(refused_hours), hour_shift=hour_shift)
    clauses = [_read_clause(part.strip(), now) for part in _CLAUSE_SPLIT.split(folded)
               if part and part.strip()]
    clauses = _weekday_checked(clauses)
    _shift_to_anchor(clauses)
    _following_weekday(clauses)
    that_day = _that_day(clauses)
    _hour_said_twice(clauses)
    _evening_hours(clauses, folded)
    refused_days: List[date] = []
    wished: List[_Clause] = []
    past = False
    context_day: Optional[date] = None
    dated_refusals: List[Tuple[date, dtime]] = []
    checkins = 0

    def wished_after(clause: _Clause) -> bool:
        """Whether the return told is followed by "donc avant" and an hour of its own."""
        at = _at(clauses, clause)
        before = _BEFORE_RETURN_RE.search(clause.text[clause.text.rfind("h"):]) or (
            at + 1 < len(clauses) and _BEFORE_RETURN_RE.match(clauses[at + 1].text))
        return bool(before) and any(c.hour is not None and c.hour < (clause.hour or dtime(0))
                                    for c in clauses[at + 1:at + 3])

    calling_it_off = bool(_CANCEL_RE.search(folded))
    for clause in clauses:
        if not clause.timed:
            continue
        alone = _WINDOW_ALONE_RE.match(clause.text)
        told = clauses[_at(clauses, clause) - 1] if _at(clauses, clause) else None
        if alone and told is not None and told.day in refused_days and told.hour is None \
                and told.part is None and int(alone.group(1)) < int(alone.group(3)) <= 23:
            # "jeudi c'est la chorale, 10h-12h, appelez après": the day is taken for
            # those hours only; an hour said after is on it
            refused_days.remove(told.day)
            context_day = told.day
            dated_refusals.extend((told.day, h) for h in _CALL_HOURS if dtime(
                int(alone.group(1)), int(alone.group(2) or 0)) <= h < dtime(
                int(alone.group(3)), int(alone.group(4) or 0)))
            continue
        if calling_it_off and clause.hour is None and clause.day is not None \
                and not clause.call and _UNTIL_DAY_RE.search(clause.text):
            # "je ne prends pas l'appel, ma sœur la garde chez elle jusqu'à Noël": the
            # end of a stretch of time, in a message calling the call off, is no day
            # asked
            continue
        if clause.past:
            past = past or clause.call or len(clauses) == 1
            continue
        bound = _BOUND_RE.search(clause.text)
        if bound and clause.day is None and clause.hour is not None and any(
                c.hour is not None and not _BOUND_RE.search(c.text) for c in clauses):
            # "pas avant 10h, pas après 18h. mercredi 11h quoi": the hours on the
            # wrong side of the bound are refused; the bound is no moment asked
            # when one is ("vendredi, pas avant 15h" alone: 15h)
            edge = clause.hour
            refused_hours.extend(h for h in _CALL_HOURS
                                 if (h < edge if bound.group(1) == "avant" else h > edge))
            continue
        trip = _trip_days(clause, now.date())
        if trip:
            # "je pars chez ma fille du 5 au 12 ... il faudrait que ce soit avant :
            # demain à 18h": the days away are refused, none of them is asked for
            refused_days.extend(d for d in trip if d not in refused_days)
            continue
        if _CHECKIN_RE.search(clause.text) and len(clauses) > 1 \
                and not _CALL_RE.search(clause.text):
            # "vous m'envoyez bien le petit message ce soir ? et pour l'appel,
            # vendredi 10h": the check-in's moment is not the call's
            checkins += 1
            continue
        if _WHEN_IS_ASKED_RE.search(folded) \
                and any(_WHEN_IS_RE.search(c.text) for c in clauses[:_at(clauses, clause) + 1]) \
                and not _CALL_WORDS_ONLY_RE.search(clause.text):
            continue  # "c'est quand la distribution ? le mardi ou le jeudi ?": the thing's
        if CALLING_A_SERVICE_RE.search(clause.text):
            # "à 18h30 j'appelle le 115 pour un lit": that moment is taken
            if clause.hour is not None:
                refused_hours.append(clause.hour)
            continue
        if _OTHERS_CALL_RE.search(clause.text) and not _WISH_RE.search(clause.text):
            if clause.hour is not None:
                refused_hours.append(clause.hour)
            continue
        if wished and clause.hour is not None and not clause.call and clause.day is None \
                and _BECAUSE_RE.match(clause.text) and any(w.hour is not None for w in wished):
            # "lundi, 17 heure, parce que mon mari rentre du travail 18 heure": the
            # reason for the moment asked, not another moment nor a refusal
            continue
        if wished and clause.hour is not None and clause.day is None and not clause.call \
                and _EVENT_AT_RE.match(clause.text) and any(w.hour is not None for w in wished):
            # "vendredi 11 à 15h, après la visite du médecin à 14h": the event the
            # moment asked is told against; its hour is taken, not asked
            refused_hours.append(clause.hour)
            continue
        if wished and clause.hour is not None and clause.day is None \
                and not _CALL_RE.search(re.sub(r"\bvers\b", " ", clause.text)) \
                and clause.relative is None and _routine_hour(clauses, clause) \
                and any(w.hour is not None for w in wished):
            # "après-demain à midi, je mange tard moi, vers une heure et demie": the
            # person's own routine told after the moment asked, why it suits; its
            # hour is taken, not asked
            refused_hours.append(clause.hour)
            continue
        back = _BACK_AT_RE.search(clause.text)
        if clause.hour is not None and back and clause.day is None and wished_after(clause):
            # "il rentre de l'accueil de jour à 17h donc avant, 16h": the call is
            # before the return, the hour asked after it is free
            continue
        if clause.hour is not None and back and not _CALL_WORDS_ONLY_RE.search(clause.text):
            before = clauses[_at(clauses, clause) - 1] if _at(clauses, clause) else None
            if clause.day is None and before is not None and before.day is not None \
                    and before.day in refused_days:
                # "lundi c'est le marché, je rentre jamais avant 3 heures. Mardi même
                # heure": not before then on the day refused only
                dated_refusals.extend((before.day, h) for h in _CALL_HOURS
                                      if h < clause.hour)
                continue
            if clause.day is None and (_HABIT_DAYS_RE.search(clause.text[:back.start()]) or (
                    before is not None and _HABIT_DAYS_RE.search(before.text))) \
                    and any(c.day is not None for c in clauses[_at(clauses, clause) + 1:]) \
                    and any(c.hour is not None for c in clauses[_at(clauses, clause) + 1:]):
                # "le mardi je vais au club, je rentre pour 17h. Jeudi 10h ça me va": back
                # then on the habit's day, not on the day asked after with its own hour
                continue
            if clause.day is not None and any(
                    c.day not in (None, clause.day) and c.hour is not None
                    for c in clauses[_at(clauses, clause) + 1:]):
                # "elle rentre de l'hôpital le mardi vers 15h... qu'on l'appelle
                # mercredi 9 à 10h": not before then on the day told only, when
                # another day is asked with its own hour after it
                dated_refusals.extend((clause.day, h) for h in _CALL_HOURS
                                      if h < clause.hour)
            else:
                refused_hours.extend(h for h in _CALL_HOURS if h < clause.hour)
            if not _CALL_RE.search(clause.text[:back.start()]) \
                    and not _CORRECTION_START_RE.match(clause.text):
                # "demain je rentre pas avant 11h, appelez-moi à midi et demi": that day
                # ("non 11h30 je serai revenu de la pharmacie": a correction, asked)
                context_day = clause.day if clause.day is not None else context_day
                back_hours.append(clause.hour)
                continue
            # "demain matin vers 10h30 si possible, je serai rentrée de la pharmacie":
            # the hour asked for, and why it suits

        if clause.hour is not None and _BUSY_UNTIL_RE.search(clause.text) \
                and _SUITS_RE.match(" ".join(c.text for c in clauses[_at(clauses, clause) + 1:])):
            # "le bébé dort de 13h jusqu'à 15h, c'est le mieux pour moi. Lundi 13h30":
            # a routine that makes the moment free, not a busy window
            continue
        if clause.hour is not None and _BUSY_UNTIL_RE.search(clause.text) \
                and not _CALL_RE.search(clause.text) and not _THERE_UNTIL_RE.search(clause.text):
            # "le matin je vais au marché jusqu'à 11h30": busy until then; "ce
            # midi, parce qu'après je fais ma sieste jusqu'à 3h": from the moment
            # asked just before until then
            since = max((c.hour for c in wished if c.hour is not None), default=None) \
                if re.search(r"\b(?:apres|ensuite)\b", clause.text) else None
            until = _until(clause.text) or clause.hour
            busy = [h for h in _CALL_HOURS if h < until and (since is None or h > since)]
            if clause.day is not None:
                # "elle est chez nous le mardi jusqu'à 16h30": busy on that day only
                # (the day talked about, for an hour that comes after it)
                dated_refusals.extend((clause.day, h) for h in busy)
                context_day = clause.day
            else:
                refused_hours.extend(busy)
            continue
        # ("mardi 20h45, j'ai ma série avant": the thing is before the moment)
        # ("jeudi 10h le kiné": a thing named after its hour)
        # ("8h, avant de déposer ma fille à la crèche à 8h45": what comes after the call)
        taken = (bool(_TAKEN_RE.search(clause.text)) or _noun_at_hour(clause.text)
                 or _listed_thing(clauses, clause)
                 or _thing_after_hour(clause.text)
                 or bool(clause.hour is not None and _BEFORE_DOING_RE.match(clause.text))) \
            and not re.search(r"\b(?:juste )?(?:avant|apres)$", clause.text) \
            and not _CALL_RE.search(_THING_AROUND_RE.sub(lambda m: m.group(0)[:-4], re.sub(
                r"^(?:ok|okay|bon|alors|d accord|dac|dacc) ", "", clause.text))) \
            or bool(_GOING_THERE_RE.search(clause.text)
                    and not _CALL_WORDS_ONLY_RE.search(clause.text))
        # "...mardi à 15h ce serait bien merci au revoir": a farewell after the
        # moment asked does not call it off
        cancelled = _CANCEL_RE.search(_POLITE_ENDINGS_RE.sub(" ", clause.text)
                                      if clause.call else clause.text)
        if clause.negated or taken or cancelled:
            if clause.day is not None and (clause.hour is not None or (
                    taken and clause.part is not None)):
                # "demain j'ai le médecin à 11h... vous pouvez m'appeler à 15h30 ?",
                # "mardi matin j'ai la kiné... mettons 11h30": only the hour (or the
                # part of the day) is taken; the day is the one talked about
                context_day = clause.day
            # "pas à 10h", "annule jeudi", "pas le matin": never booked
            if clause.hour is not None and clause.day is not None and (taken or cancelled):
                # "j'ai le cardiologue lundi à 14h30... mardi à 14h30 ?", "annule mardi
                # 11h en fait... mets mercredi 11h": that hour is taken (or called
                # off) on that day only
                dated_refusals.append((clause.day, clause.hour))
            elif clause.hour is not None and (taken_on := _day_of_hour_taken(
                    clauses, clause)) is not None:
                # "je rentre de la clinique lundi, l'ambulance vient à 11h. Appelez-moi
                # mardi à 11h": the hour is taken on the day told just before, and
                # another day is asked with its own hour
                dated_refusals.append((taken_on, clause.hour))
            elif clause.hour is not None:
                refused_hours.append(clause.hour)
                if part_refused and _HOURS_MEANT_RE.match(clause.text):
                    hours_meant.append(clause.hour)
                elif hours_meant and _NEITHER_RE.match(clause.text):
                    hours_meant.append(clause.hour)
            elif clause.part is not None and clause.day is not None and taken:
                pass  # the hour said next is asked for on that day
            elif clause.part is not None and clause.day is None and clause.hour is None \
                    and _day_just_before(clauses, clause) is not None:
                # "le jeudi 10, j'ai le podologue tout l'après-midi", "dimanche c'est la
                # fête, les petits viennent le matin": that part of the day told just
                # before is taken, on that day only
                earlier_day = _day_just_before(clauses, clause)
                dated_refusals.extend((earlier_day, h) for h in PART_HOURS.get(clause.part, ())
                                      if earlier_day is not None)
            elif clause.part is not None and clause.day is None \
                    and not _THINGS_PART_RE.search(clause.text):
                refused_hours.extend(PART_HOURS.get(clause.part, ()))
                if not _PART_REFUSED_RE.search(clause.text):
                    # ("pas le matin, donc pas à 8h": the whole morning, as said)
                    part_refused.extend(PART_HOURS.get(clause.part, ()))
            elif clause.day is not None and not cancelled and _DAY_WINDOW_RE.search(clause.text):
                # "dimanche je travaille de 9 à 16": those hours of that day only
                span = _DAY_WINDOW_RE.search(clause.text)
                first, last = (int(span.group(1)), int(span.group(2))) if span else (0, 0)
                if 0 <= first < last <= 23:
                    context_day = clause.day
                    dated_refusals.extend((clause.day, h) for h in _CALL_HOURS
                                          if dtime(first) <= h < dtime(last))
                else:
                    refused_days.append(clause.day)
            elif clause.day is not None and clause.hour is None and clause.part is None \
                    and taken and not cancelled and _hour_refused_beside(clauses, clause):
                # "pas à 14h, mardi j'ai l'ambulance pour l'ophtalmo. Mardi 10h": the
                # hour refused is taken on that day, the rest of the day is free
                refused_hour = _hour_refused_beside(clauses, clause)
                if refused_hour is not None:
                    dated_refusals.append((clause.day, refused_hour))
                context_day = clause.day
            elif clause.day is not None and taken and not cancelled and any(
                    re.match(r"(?:(?:mais|et) )?pas avant\b", c.text)
                    for c in clauses[_at(clauses, clause) + 1:_at(clauses, clause) + 2]):
                # "demain c'est le marché, pas avant midi. Disons deux heures et demie":
                # the day is taken until then only; the hour said after is on it
                context_day = clause.day
            elif clause.day is not None and taken and not cancelled and clause.hour is None \
                    and clause.part is None and _at(clauses, clause) + 1 < len(clauses) \
                    and _day_just_before(clauses, clauses[_at(clauses, clause) + 1]) \
                    == clause.day and clauses[_at(clauses, clause) + 1].part is not None:
                # "dimanche c'est la Saint-Nicolas, les petits viennent le matin": the
                # day is taken for that part only; an hour said after is on it
                context_day = clause.day
            elif clause.day is not None:
                refused_days.append(clause.day)
            continue
        if wished and clause.part is not None and clause.day is None \
                and clause.hour is None and clause.relative is None \
                and wished[-1].hour is not None \
                and wished[-1].hour in _PART_SPAN.get(clause.part, ()):
            # "lundi vers 15 heures, après ma sieste": a word on the hour just told
            continue
        wished.append(clause)
    calls = [c for c in wished if c.call and c.text.strip()] or wished
    if calls is not wished:
        # "appel dmain 19h stp. nn 19h30 jrentre tard", "soit mardi, soit mercredi ;
        # retenons mercredi, à 16h": a correction or a choice after the request, in
        # a clause of its own, is the moment asked
        fixes = [c for c in wished[_at(wished, calls[0]) + 1:]
                 if c not in calls and _CORRECTION_START_RE.match(c.text)
                 and (c.hour is not None or c.day is not None)]
        if fixes:
            calls = [c for c in wished if c in calls or c is fixes[-1]]
    elif len(wished) > 1:
        # "non en fait 13h, je mange à midi pile": no call word, a correction in a
        # clause of its own is the moment asked; what follows it is its reason
        fixes = [c for c in wished if _CORRECTION_START_RE.match(c.text)
                 and c.hour is not None]
        if fixes and all(not _CORRECTION_START_RE.match(c.text)
                         and _REASON_RE.match(c.text)
                         for c in wished[_at(wished, fixes[-1]) + 1:]):
            calls = wished[:_at(wished, fixes[-1]) + 1]
    day = hour = part = relative = None
    guessed = False
    others_hour = False
    if calls:
        main = calls[-1]
        guessed = main.guessed
        day, hour, part = main.day, main.hour, main.part
        relative = main.relative if main.relative_precise else None
        if day is None and relative is None:
            # "dans 3 jours ? vers 16h", "samedi, vers 16h": the day said just before.
            for earlier in reversed(calls[:-1]):
                if earlier.day is not None:
                    day = earlier.day
                    if hour is None and part is None:
                        hour, part = earlier.hour, earlier.part
                    break
            else:
                # "le 24 au soir je serai seule. quelqu'un pourrait m'appeler vers
                # 19h ?": the evening told is the one the hour belongs to.
                # "j'aimerais parler à la bénévole dans 3 jours, à 16 h": a bare
                # hour goes on the clause just before.
                corrects = bool(_CORRECTS_RE.search(main.text))
                for earlier in reversed(wished[:_at(wished, main)]):
                    if earlier.day is not None and hour is not None and (
                            (earlier.part is not None
                             and dtime(hour.hour, hour.minute // 30 * 30)
                             in _PART_SPAN.get(earlier.part, ()))
                            or (earlier.hour is None and earlier.part is None)
                            # "mercredi 9 à 11h non attendez, plutôt midi": that day
                            or corrects
                            # "demain je prends le bus à 9h pour le marché, appelez-moi
                            # après, à midi et demi": the day of what is told before
                            or (main.call and not earlier.call and earlier.hour is not None
                                and earlier.hour < hour)):
                        day = earlier.day
                        break
                else:
                    day = context_day if hour is not None else None
        if hour is None and relative is None:
            # "vous pouvez me téléphoner dimanche, sur le coup de midi ?": the hour
            # said just after, for the same day ("morning, 10am is good": within
            # the part of the day said).
            following = wished[_at(wished, main) + 1:]
            if len([c for c in following if c.hour is not None]) > 1:
                # "lundi 7, après le journal de vingt heures, donc à 20h45": the
                # hour of the event told is not the call's when another follows
                following = [c for c in following if not _EVENT_AT_RE.match(c.text)]
            for later in following:
                if part is not None and (later.hour is None
                                         or dtime(later.hour.hour, later.hour.minute // 30 * 30)
                                         not in _PART_SPAN.get(part, ())):
                    continue
                if (later.hour is not None or later.part is not None) \
                        and later.day in (None, day):
                    hour, part, guessed = later.hour, later.part, later.guessed
                    break
        if hour is None and part is None and relative is None:
            # "plutôt vers 16h, vendredi si possible": the hour said just before;
            # "samedi midi et demi ? ah non, plutôt dimanche même heure": that one.
            same = bool(_SAME_HOUR_RE.search(main.text))
            # ("mettez plutôt mercredi, même heure": the same hour said just after, as
            # the hour of a call asked for before; not a coach's departure told)
            after = not same and any(_SAME_HOUR_RE.search(c.text)
                                     for c in clauses[_at(clauses, main) + 1:])
            # the hour of a thing the person has, told as what keeps them from the
            # day refused ("pas demain, j'ai le docteur à 15h. Après-demain même
            # heure"): the hour "même heure" means when no other is said
            thing_hour: Optional[_Clause] = None
            for earlier in reversed(clauses[:_at(clauses, main)] if same else calls[:-1]):
                if same and (earlier.negated or _BACK_AT_RE.search(earlier.text)):
                    # "je rentre jamais avant 3 heures. Mardi même heure": the hour
                    # of the call talked about, not the one refused
                    if thing_hour is None and earlier.hour is not None \
                            and earlier.relative is None \
                            and not _BACK_AT_RE.search(earlier.text) \
                            and not _BOUND_WORDS_RE.search(earlier.text) \
                            and _TAKEN_RE.search(_LEAD_IN_RE.sub("", earlier.text)):
                        thing_hour = earlier
                    continue
                # ("vendredi prochain à 10h, le 11": the date says which Friday, the
                # hour said with the weekday goes with it)
                dated_weekday = day is not None and earlier.day is not None \
                    and earlier.day.weekday() == day.weekday() \
                    and bool(_DAY_OF_MONTH_RE.search(main.text)) \
                    and not _WEEKDAY_WORD_RE.search(main.text)
                if earlier.hour is not None and (same or after or dated_weekday
                                                 or earlier.day in (None, day)):
                    hour, guessed = earlier.hour, earlier.guessed
                    # ("mardi il a le neurologue à 8h30... Mercredi même heure": the
                    # hour of someone's appointment, not the call's talked about)
                    others_hour = same and bool(_TAKEN_RE.search(
                        _LEAD_IN_RE.sub("", earlier.text)))
                    break
            if hour is None and thing_hour is not None and thing_hour.hour is not None \
                    and day is not None and thing_hour.day in (None, *refused_days) \
                    and day not in refused_days:
                # (the call's hour talked about, if any, still wins: ``others_hour``);
                # the hour is taken on the day refused, not on the day asked
                hour, guessed, others_hour = thing_hour.hour, thing_hour.guessed, True
                refused_hours = [h for h in refused_hours if h != hour]
            if hour is None and day is not None and not same and not after \
                    and calls is not wished:
                # "le bon moment pour moi c'est 17h... mercredi alors": the hour told
                # first as the one that suits, in a clause of its own, then the day
                for earlier in reversed(wished[:_at(wished, main)]):
                    if earlier.hour is not None and earlier.day is None \
                            and earlier.relative is None and not earlier.call:
                        hour, guessed = earlier.hour, earlier.guessed
                        break
        elif hour is None and relative is None and part is not None:
            # "mercredi, trois heures moins le quart. L'après-midi bien sûr !": the
            # part of the day says which of the hour just told
            for earlier in reversed(calls[:-1]):
                if earlier.hour is not None and earlier.day in (None, day) and dtime(
                        earlier.hour.hour, earlier.hour.minute // 30 * 30) \
                        in _PART_SPAN.get(part, ()):
                    hour, part, guessed = earlier.hour, None, False
                    break
    giver = next((c for c in reversed(wished) if c.day == day), None)
    if day is not None and not (giver is not None and _DAY_OF_MONTH_RE.search(giver.text)
                                and not _WEEKDAY_WORD_RE.search(giver.text)):
        # "je voulais dire le 13, le dimanche": a date told beside a bare weekday,
        # falling on that weekday, says which one ("le 11 à 16h" is dated already)
        for clause in wished:
            if clause.day is not None and clause.day != day \
                    and clause.day.weekday() == day.weekday() \
                    and _DAY_OF_MONTH_RE.search(clause.text) \
                    and not _WEEKDAY_WORD_RE.search(clause.text):
                day = clause.day
                break
    giving = next((c for c in reversed(wished) if c.day == day), None)
    if day is not None and giving is not None and _bare_weekday(giving.text):
        # "jeudi 10 ou vendredi 11 ? je sais pas... vendredi. 10h": the Friday
        # named with its date just before is the one chosen
        dated = {d for c in clauses for d in _named_dates(c.text, now.date())
                 if d.weekday() == day.weekday()}
        if len(dated) == 1 and day not in dated and not _RELATIVE_DAY_RE.search(folded):
            day = dated.pop()
    full = {d for c in calls for d in _named_dates(c.text, now.date())}
    # ("dimanche 13 non 6 dimanche qui vient": the day the correction gives wins)
    if len(full) == 1 and day is not None and day not in full \
            and not _RELATIVE_DAY_RE.search(folded) \
            and not (calls[-1].day == day and _CORRECTION_START_RE.match(calls[-1].text)):
        # "Le week-end prochain, pas celui-ci hein, le samedi 12 : vers midi ?": a
        # weekday and its date, named once, say the day whatever else is around
        # (and its hour, if the clause that said the day had none)
        day = full.pop()
        named = next((c for c in calls if day in _named_dates(c.text, now.date())), None)
        if named is not None and hour is None and part is None and relative is None:
            hour, part, guessed = named.hour, named.part, named.guessed
    taken_back = " ".join(c.text for c in clauses[max(_at(clauses, c) for c in wished) + 1:]) \
        if wished else ""
    next_to_call = clauses[_at(clauses, calls[-1]) + 1:_at(clauses, calls[-1]) + 2] \
        if calls and calls[-1].call else []
    if calls and any(_TAKEN_BACK_RE.search(c.text)
                     for c in clauses[_at(clauses, calls[-1]) + 1:]) or (
            # "Pour l'appel de lundi 10h, finalement ce n'est plus nécessaire, l'assistante
            # sociale vient mardi...": the call named, then taken back in the clause
            # right after it (whatever other days the message goes on about)
            next_to_call and next_to_call[0].day is None and next_to_call[0].hour is None
            and _TURNAROUND_RE.search(next_to_call[0].text)
            and _CANCEL_RE.search(_POLITE_ENDINGS_RE.sub(" ", next_to_call[0].text))) or (
            taken_back and _TURNAROUND_RE.search(taken_back)
            and _CANCEL_RE.search(_POLITE_ENDINGS_RE.sub(" ", taken_back))):
        # "Mettez-moi vendredi 11 à 9h30... non, en fait ne mettez rien", "un appel
        # pour demain 11h mais non, finalement je n'ai pas le cœur à parler, n'en
        # faites rien": the moment is taken back in the same message (not by "je
        # vous dirai pour le chat" after it).
        day = hour = part = relative = None
    if calls and hour is not None and _BACK_TO_THAT_MOMENT_RE.search(calls[-1].text):
        # "mon rendez-vous de mardi 14h vient d'être annulé, appelez-moi mardi à 14h
        # à la place": the moment freed is the one asked
        dated_refusals = [(d, h) for d, h in dated_refusals if h != hour]
        refused_hours = [h for h in refused_hours if h != hour]
    after_main = clauses[_at(clauses, calls[-1]) + 1:] if calls else []
    # "...Donc 11h", "Demain à 18h alors", "je voulais écrire 10h": a moment decided
    # (or corrected) in a clause of its own is asked for
    before_main = clauses[:_at(clauses, calls[-1])][-1:] if calls else []
    # "Gardez le 12 | mais à 18h"
    # "Toujours samedi, mais à 11h": the day kept, the hour changed
    kept = bool(before_main and re.match(r"^ *(?:gardez|gardons|toujours|on garde|je garde)\b",
                                         before_main[0].text))
    # "..., alors | mettez samedi 11h30": the word that concludes, split from the
    # request by its call word
    concluded = bool(before_main and re.match(r"^ *(?:(?:bon|ben|eh bien) )?(?:donc|alors|du coup)"
                                              r" *$", before_main[0].text))
    decided = bool(calls and hour is not None and (
        _DECIDED_RE.search(calls[-1].text) or kept or concluded
        or (_CORRECTION_START_RE.match(calls[-1].text) and not _TAKING_SOMETHING_RE.match(
            calls[-1].text))
        or (after_main and _DECIDED_ALONE_RE.match(after_main[0].text))))
    if decided and (_DECIDED_RE.search(calls[-1].text) or kept or concluded or (
            after_main and _DECIDED_ALONE_RE.match(after_main[0].text))):
        # "je ne peux pas ce soir, j'ai la réunion à 18h. Demain à 18h alors", "je
        # bosse 13h-21h cette semaine... donc mardi prochain 15h": the moment
        # decided at the end is not one the message refused
        dated_refusals = [(d, h) for d, h in dated_refusals if (d, h) != (day, hour)]
        refused_hours = [h for h in refused_hours if h != hour]
        # "samedi 12 c'est le repas des anciens... Gardez le 12 mais à 18h"
        refused_days = [d for d in refused_days if d != day]
    if hours_meant and all(h in part_refused for h in hours_meant):
        refused_hours = [h for h in refused_hours if h not in part_refused or h in hours_meant]
    refused_hours.extend(h for d, h in dated_refusals if day is not None and d == day)
    routine_days = {w for w, _ in weekday_refusals}
    routine_hours = list(dict.fromkeys(h for _, h in weekday_refusals))
    if not (day is not None and day.weekday() not in routine_days and hour in routine_hours):
        # (kept as hours to avoid, unless they would refuse the very moment asked on
        # a day free of the routine: "... Donc mardi. Mardi 10h")
        refused_hours.extend(routine_hours)
    refused_at = tuple(f"{d.isoformat()} {h.strftime('%H:%M')}" for d, h in dated_refusals
                       if day is None)
    if guessed and hour is not None and hour.hour >= 12 and (any(
            c.part is not None and c.part.hour >= 12 for c in clauses)
            or _AFTER_LUNCH_RE.search(folded)
            # "around 3pm, say 3:15": the afternoon hour said just before
            or any(c.hour is not None and not c.guessed and 12 <= c.hour.hour
                   and abs(c.hour.hour - hour.hour) <= 1 for c in clauses)):
        # "l'après-midi, vers 3h", "samedi vers deux heures, après le repas": the
        # afternoon is said
        guessed = False
    if hour is None and part is None and _SAME_HOUR_AS_NOW_RE.search(folded):
        # "dans une semaine, à la même heure qu'aujourd'hui": the hour it is now
        hour = dtime(now.hour, 0 if now.minute < 30 else 30)
    sentence = re.sub(r"[^\w ]", " ", folded).strip()
    sentence = re.sub(r"\s+", " ", sentence)
    calling_off = [c for c in clauses if _CANCEL_RE.search(c.text)]
    # "c'est pas la peine de vous déranger demain, mais samedi à 10h je dis pas non":
    # one day called off, another moment asked after it: no cancellation
    moved_on = bool(calls and day is not None and hour is not None and calling_off and all(
        c.day is not None and c.day != day and _at(clauses, c) < _at(clauses, calls[-1])
        for c in calling_off))
    return Proposal(
        day=day, hour=hour, part=part, relative=relative,
        refused_hours=tuple(refused_hours), refused_days=tuple(refused_days),
        refused_at=refused_at,
        talked_day=context_day, week_ahead=bool(WEEK_AHEAD_RE.search(folded)),
        bare_weekday=bool(calls and day is not None and (_bare_weekday(calls[-1].text) or (
            # "mercredi toujours, mais 15h plutôt": the day of the clause before, as said
            calls[-1].day is None and any(c.day == day and _bare_weekday(c.text)
                                          for c in calls[:-1])))),
        that_one_next_week=day is None and any(
            _THAT_ONE_NEXT_WEEK_RE.search(c.text) for c in clauses),
        same_hour=bool(_SAME_HOUR_RE.search(folded)), others_hour=others_hour,
        same_day=(bool(_SAME_DAY_RE.search(folded)) or that_day) and not refused_days,
        hour_shift=hour_shift if not (past and not calls) else None,
        checkin_said=bool(_CHECKIN_RE.search(folded)),
        accept=bool(_ACCEPT_RE.search(sentence) or _ANY_TIME_RE.search(sentence)),
        any_time=bool(_ANY_TIME_RE.search(sentence)), guessed=guessed,
        delegated=bool(_DELEGATED_RE.search(sentence)),
        # check-in words in the moment's own clause ("je pars en vacances jusqu'au
        # 15"), not in another one ("vendredi 11 à 9h, après je pars au club")
        # ("n'importe quel jour ça me va, mais à 18h": any day, that hour)
        asked=(any(c.call for c in wished) or bool(wished and _ASKING_RE.search(folded))
               or decided
               or bool(hour is not None and _ANY_TIME_RE.search(sentence))
               or _asked_just_before(clauses, wished)
               or (hour_shift is not None and not (past and not calls)))
        and not any(_CHECKIN_RE.search(c.text) for c in wished)
        # "le message du matin, plutôt à 9h": the moment goes with the check-in
        # unless a call is named ("et pour l'appel, vendredi 10h")
        and not (checkins and not any(_CALL_WORDS_ONLY_RE.search(c.text) for c in clauses
                                      if not _CHECKIN_RE.search(c.text))),
        decline=bool(_DECLINE_RE.search(sentence) or _NO_START_RE.search(sentence)
                     or any(_refusing(c) for c in clauses))
        and not (_ANY_TIME_RE.search(sentence) and (not refused_hours and not refused_days
                                                     or _FREE_BUT_RE.search(sentence))),
        # "...me rappeler lundi vers 15h, voilà merci au revoir": a farewell after
        # a request does not call it off.
        cancel=bool(_CANCEL_RE.search(_POLITE_ENDINGS_RE.sub(" ", sentence) if calls
                                      and any(c.call for c in calls) else sentence)
                    # "supprimez carrément, je serai au repas ce jour-là": the word alone
                    # opening the message, then why (no other moment asked)
                    or (day is None and hour is None and relative is None
                        and bool(_DELETE_ALONE_RE.match(folded))))
        and not moved_on,
        unavailable=any(_refusing(c) for c in clauses) or bool(_MOVE_RE.search(sentence)),
        past=past and not calls,
        back_at=back_hours[0] if len(back_hours) == 1 and len(clauses) == 1 and day is None
        and not refused_days and not dated_refusals else None,
    )




# "libre tout le temps sauf mardi": free, but for the moments refused
_FREE_BUT_RE = re.compile(r"\b(?:libre|dispo\w*) (?:presque |quasiment |a peu pres )?"
                          r"(?:tout le temps|toute la semaine|tous les jours|n importe quand)\b|"
                          # "n'importe quel jour, ça m'est égal, seulement pas à 18h",
                          # "quand vous voulez, sauf à midi": any moment, but for the
                          # hours named as exceptions (not "non, pas à 10h")
                          r"\b(?:(?:seulement|juste|mais|sauf) pas|sauf|excepte|hormis|a part) "
                          r"(?:a |vers )?(?:\d{1,2}h\d{0,2}|midi)\b")


_EXCEPT_HOUR_RE = re.compile(r",? \b(?:sauf|excepte|hormis) (?:a |vers )?(\d{1,2}h\d{0,2}|midi)\b")
_WEEKDAY_NAME_RE = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")")
_EXCEPT_DAYS_RE = re.compile(r"\bsauf (?:le |les )?((?:" + "|".join(WEEKDAYS) + r")s?(?:(?: et|,)? "
                             r"(?:le |les )?(?:" + "|".join(WEEKDAYS) + r")s?)*)\b")


# "pas avant 10h", "jamais après 18h": a bound on the hours, in a clause of its own
# "c'est la livraison du repas du soir", "l'infirmière du soir qui passe": the part of
# the day names a thing (said alone: no part of the day refused)
_THINGS_PART_RE = re.compile(
    r"^(?!.*\b(?:le|ce|au|en|la|les|tous les|chaque) (?:soir|matin|apres midi|soiree|matinee)\b)"
    r".*\b(?:le|la|l|les|mon|ma|mes|son|sa|ses|du|des|au|aux) [a-z]{3,} (?:du|de l) "
    r"(?:soir|matin|apres midi)\b")


_SOMEONE_COMES_RE = re.compile(
    r"\b((?:" + "|".join(WEEKDAYS) + r"|demain|apres midi|matin|soir|decembre|janvier)"
    r"[^,.;!?]{0,25}?\b\d{1,2} ?(?:h|heures?)(?: ?\d{2})?) "
    r"(?=(?:l|le|la|les|ma|mon|mes|sa|son|ses|notre|nos) (?!(?:matin|soir|apres|midi|lendemain|"
    r"jour|meme|prochain|semaine|week)\b)[a-z]+(?: [a-z]+)? (?:elle |il |ils |elles )?"
    r"(?:passe|passent|vient|viennent|arrive|arrivent|m apporte|me livre|est la)\b)")


_WHY_IT_SUITS_RE = re.compile(
    r"((?:\b(?:" + "|".join(WEEKDAYS) + r"|demain)(?: \d{1,2}(?: " + "|".join(MONTHS)
    + r")?)? |(?:^|(?<=, )))"
    # ("jeudi en huit, le 10, à 10h30 je serai réveillé": the hour that opens a clause)
    r"(?:a |vers )?\d{1,2} ?(?:h|heures?)(?: ?\d{2})?) "
    r"(?=(?:il|elle|je|j|on) (?:est|suis|sera|serai|serons) (?:la|rentree?s?|de retour|dispo\w*|"
    r"libres?|en forme|reveillee?s?|levee?s?|debout|reposee?s?|de bonne humeur|tranquilles?|"
    r"chez (?:moi|lui|elle|nous)|a la maison|seule?s?)\b)")


_DOUBTED_PROMISE_RE = re.compile(
    r"(\b(?:il|elle|ils|elles) (?:\w+ ){0,3}?\w+(?:rait|raient|ra|ront)\b[^.;!?|]{0,40}?), "
    r"on verra bien\b")


_BOUND_RE = re.compile(r"^(?:(?:mais|et|surtout|ni) )?(?:pas|jamais|surtout pas) (avant|apres) "
                       r"(?:\d{1,2}h\d{0,2}|midi)\b")


# "le matin, donc pas à 8h ni à 9h": the hours meant by the part of the day refused
# before (never "pas le matin, surtout pas à 8h")
_PART_REFUSED_RE = re.compile(r"\bpas (?:le |l |en |dans la |la )?(?:matin|apres midi|soir|"
                              r"matinee|soiree)\b")
_HOURS_MEANT_RE = re.compile(r"^(?:donc|c est a dire|enfin|en gros|je veux dire|disons) "
                             r"(?:pas|jamais)\b")


# "le 12/12 à 11h, c'est samedi je crois": the weekday of the date just said, checked
_WEEKDAY_CHECK_RE = re.compile(r"(?:(?:c est|c|ce sera|ca tombe|ca fait|ca sera) )?(?:bien )?"
                               r"(?:un |le )?(?:" + "|".join(WEEKDAYS) + r")"
                               r"(?: (?:je crois|je pense|il me semble|normalement|non|hein|"
                               r"c est ca|si je ne me trompe pas|si je me trompe pas))?")


def _weekday_checked(clauses: List[_Clause]) -> List[_Clause]:
    """Without the clauses that only name the weekday of the date before them ("le
    12/12 à 11h, c'est samedi je crois"): a check, not another day.
    """
    kept: List[_Clause] = []
    for clause in clauses:
        said = next((c.day for c in reversed(kept) if c.day is not None), None)
        if said is not None and clause.day is not None and clause.hour is None \
                and clause.day.weekday() == said.weekday() \
                and _WEEKDAY_CHECK_RE.fullmatch(re.sub(r"[^\w ]", " ", clause.text).strip()):
            continue
        kept.append(clause)
    return kept


_FOLLOWING_WEEKDAY_RE = re.compile(r"(?<!semaine )\b(" + "|".join(WEEKDAYS)
                                   + r") (?:suivant|d apres)\b")


def _following_weekday(clauses: List[_Clause]) -> None:
    """"la cure a lieu lundi, donc le mercredi suivant", "j'ai le kiné jeudi, le
    samedi d'après": that weekday after the day named in a clause before (the first
    one to come after it: Wednesday of the same week), not a week after the next
    one. The same weekday ("pas ce lundi, le lundi d'après") is a week on.
    """
    for index, clause in enumerate(clauses):
        following = _FOLLOWING_WEEKDAY_RE.search(clause.text)
        if not following or clause.day is None or _DAY_OF_MONTH_RE.search(clause.text):
            continue
        anchor = next((c for c in reversed(clauses[:index]) if c.day is not None), None)
        if anchor is None or anchor.day is None or anchor.past \
                or _FOLLOWING_WEEKDAY_RE.search(anchor.text):
            continue
        weekday = WEEKDAYS.index(following.group(1))
        clause.day = anchor.day + timedelta(days=(weekday - anchor.day.weekday() - 1) % 7 + 1)


def _shift_to_anchor(clauses: List[_Clause]) -> None:
    """"le lendemain de mon rendez-vous, qui est le mercredi 9": the day after the
    day told in the clause around it (which is the event's day, not the call's).
    """
    for index, clause in enumerate(clauses):
        shift = _SHIFT_RE.search(clause.text)
        if not shift or clause.day is not None or _HOLIDAY_RE.search(clause.text) \
                or re.search(r"\b(?:me |nous )?(?:le|la|les) rappeler\b", clause.text):
            continue  # "vous pouvez me le rappeler la veille ?": a reminder
        around = clauses[:index][::-1] + clauses[index + 1:]
        if not re.search(r"\b(?:lendemain|surlendemain|veille|avant|apres|tard|tot) (?:de|du|d)\b",
                         clause.text[shift.start():]) and clauses[:index]:
            # "(la foire est lundi 14.) Le lendemain alors, le mardi 15, vers 18h": the
            # day named after it is the one it means, not its anchor
            around = clauses[:index][::-1]
        # ("le lendemain de mon dernier poste de nuit, donc samedi": the day it comes
        # to, not its anchor)
        anchor = next((c for c in around if c.day is not None
                       and not _SHIFT_RE.search(c.text)
                       and not re.match(r" *(?:donc|alors|soit|c est a dire)\b", c.text)), None)
        if anchor is None or anchor.day is None:
            continue
        clause.day = anchor.day + timedelta(days=_shift_days(shift))
        clause.negated = False  # "le lendemain de mon rendez-vous": not that moment
        anchor.day = None


_BARE_NUMBER_RE = re.compile(r"(?:(?!(?:le|ce|du|au|" + "|".join(WEEKDAYS) + r")\b)[a-z]+ )?"
                             r"(\d{1,2})")


def _hour_said_twice(clauses: List[_Clause]) -> None:
    """"saat 11, 11h": a bare number that is an hour said beside it is not the 11th."""
    for clause in clauses:
        bare = _BARE_NUMBER_RE.fullmatch(clause.text.strip())
        if bare and clause.day is not None and clause.hour is None and any(
                c.hour is not None and c.hour.hour % 12 == int(bare.group(1)) % 12
                for c in clauses):
            clause.day = None


def _evening_hours(clauses: List[_Clause], folded: str) -> None:
    """"Le soir, après le journal de 20 heures. Huit heures et demie", "demain en
    soirée. Disons sept heures et quart": the evening said first, a small hour said
    after it (5 to 9) is the evening's. Never with a morning said, nor after an
    evening taken ("le soir je suis prise. Demain 8h30").
    """
    if _MORNING_SAID_RE.search(folded):
        return
    for at, clause in enumerate(clauses):
        if clause.hour is not None and 5 <= clause.hour.hour <= 9 and clause.part is None \
                and not clause.negated and not _BOUND_WORDS_RE.search(clause.text) \
                and any(_EVENING_SAID_RE.search(c.text) and not c.negated
                        and not _BUSY_WORDS_RE.search(c.text)
                        and not _EVENING_TAKEN_RE.search(c.text) for c in clauses[:at]):
            clause.hour = clause.hour.replace(hour=clause.hour.hour + 12)


def _that_day(clauses: List[_Clause]) -> bool:
    """"Le 20, j'ai la messe... appelez-moi ce dimanche-là à 17h": the day of the
    clause before. Whether such a day was said with nothing before it to point
    to (then it is the day talked about earlier in the conversation).
    """
    alone = False
    for index, clause in enumerate(clauses):
        if not _THAT_DAY_RE.search(clause.text):
            continue
        anchor = next((c for c in reversed(clauses[:index]) if c.day is not None), None)
        if anchor is not None:
            clause.day, clause.past = anchor.day, False
        elif not _WEEKDAY_WORD_RE.search(clause.text):
            clause.day, alone = None, True  # "ce soir-là" is not tonight
    return alone


_THAT_ONE_NEXT_WEEK_RE = re.compile(r"\b(?:celui|celle) de la semaine (?:prochaine|suivante|"
                                    r"d apres)\b")
# "la semaine prochaine", "jeudi prochain", "la semaine d'après"
WEEK_AHEAD_RE = re.compile(r"\bsemaine (?:prochaine?|d apres|suivante)\b|"
                           r"\b(?:" + "|".join(WEEKDAYS) + r") prochain\b")


def _bare_weekday(text: str) -> bool:
    """A weekday said alone: no date, no "prochain", no week, no "en huit".

    An hour may come with it ("10h30 le même mercredi").
    """
    text = _HOUR_RE.sub(" ", text)
    # (a month as a word: "mais pour vendredi c'est bon" names no month)
    return bool(_WEEKDAY_WORD_RE.search(text)) and not re.search(
        r"\d|prochain|semaine|en huit|en quinze|demain|d apres|suivant|\b(?:"
        + "|".join(MONTHS) + r")\b", text)


def _asked_just_before(clauses: List[_Clause], wished: List[_Clause]) -> bool:
    """Whether the clause just before a moment asks for a call in so many words.

    "quelqu'un peut m'appeler pour les aides ? vendredi 11 à midi et demi".
    """
    for before, after in zip(clauses, clauses[1:]):
        if after in wished and not before.timed and not before.negated and not before.past \
                and _CALL_WORDS_ONLY_RE.search(CALLING_A_SERVICE_RE.sub(" ", before.text)) \
                and not _OTHERS_CALL_RE.search(before.text):
            return True
    return False


# The evening said, and no morning ("le soir, après le journal. Huit heures et
# demie"): a small hour said after it is the evening's
_EVENING_SAID_RE = re.compile(r"\b(?:le soir|en soiree|dans la soiree|ce soir|demain soir|"
                              r"(?:" + "|".join(WEEKDAYS) + r") soir|apres (?:le |mon )?(?:diner|"
                              r"souper|journal|jt|infos|informations|soupe))\b")
# ("le soir je suis prise", "le soir j'ai la chorale": the evening taken, not asked)
_EVENING_TAKEN_RE = re.compile(r"\b(?:je suis|je serai|jsuis|j ai|j aurai|on a|nous avons|je vais|"
                               r"je sors|je pars)\b(?! (?:tranquille|libre|dispo\w*|la\b|chez moi|"
                               r"seule?|au calme))")
# ("le soir, pas après 9h": a bound, left as it is read)
_BOUND_WORDS_RE = re.compile(r"\b(?:avant|apres|jusqu|pas|sauf)\b")
_MORNING_SAID_RE = re.compile(r"\b(?:matin|matinee|mat1|am|petit dejeuner|petit dej)\b")
# Words that call a booked call off even after the booking, out of the form:
# not a farewell ("merci, au revoir") nor a polite "non merci".
_POLITE_ENDINGS_RE = re.compile(
    r"\b(?:bonne (?:journee|soiree) )?au revoir\b|\b(?:non|nan) merci\b|\bca ira merci\b")


# "Mon appel de demain 17h, vous pouvez l'enlever ?": the call the person has, its
# moment told (a cancel word with it calls it off, "vous pouvez" is no request).
_OWN_CALL_RE = re.compile(r"\b(?:(?:mon|notre) (?:prochain )?(?:appel|rdv|rendez vous avec "
                          r"(?:le|la) benevole|rendez vous telephonique|coup de fil) "
                          r"(?:de |du |d )?|"
                          # "le bénévole devait m'appeler dimanche", "j'avais demandé un
                          # appel samedi à 10h": the call arranged
                          r"(?:benevole|on|vous|elle|il) (?:devait|deviez|doit|devez) "
                          r"(?:m |me )?(?:r?appeler|telephoner) |"
                          r"(?:j avais|j ai) (?:demande|pris|reserve|fixe|note) (?:un|mon|l) "
                          r"(?:appel|rdv|rendez vous) (?:de |du |d |pour )?)(?:demain|ce |cet |"
                          r"aujourd hui|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
                          r"le \d|\d)")


# "rayez-moi cet appel", "supprimez donc l'appel", "effacez mon coup de fil": a word
# that strikes out, on the call itself (what the person has booked)
_STRIKE_OWN_CALL_RE = re.compile(
    r"(?<!\bai )(?<!\bavais )(?<!\ba )\b(?:raye[rz]?|zapp?(?:e|ez|er)|supprim(?:ez|e|er)|"
    r"retir(?:ez|e|er)|enlev(?:ez|e|er)|eff?ac(?:ez|e|er)|decommand(?:ez|e|er)|"
    r"an+ul+(?:ez|e|er)|oubli(?:ez|er))(?: (?:moi|nous|donc|svp|bien|plutot))?"
    r" (?:cet|ce|l|mon|notre|le) (?:appel|coup de fil|coup de telephone|"
    r"rendez vous telephonique)\b")


def names_own_call(folded: str) -> bool:
    """Whether a message (already ``normalise``d) names the call the person has by
    its moment ("mon appel de demain 17h"): that moment is told, not asked for.
    """
    named = _OWN_CALL_RE.search(folded)
    struck = _STRIKE_OWN_CALL_RE.search(folded)
    if struck and not named:
        # "ce jeudi-là je ne serai pas chez moi : rayez-moi cet appel, on verra au
        # retour": the call the person has, struck out; no other moment asked for
        # ("rayez cet appel et mettez-moi lundi à 10h" moves it)
        return not _HOUR_RE.search(folded) and not _NAMED_DAY_RE.search(folded[struck.end():])
    if not named:
        return False
    # "mon appel de demain 17h, annulez-le et mettez-le lundi à 10h": another
    # moment after the cancel is asked for
    off = _CANCEL_RE.search(folded, named.end())
    tail = folded[off.end():] if off else ""
    return not (_HOUR_RE.search(tail) or _NAMED_DAY_RE.search(tail))


def only_a_moment(text: str) -> bool:
    """Whether a message says a moment and nothing else ("tomorrow pls", "samedi
    vers 11h", "oui demain 15h"): whatever the intent reader made of it, it is
    an answer about the call's moment.
    """
    folded = normalise(text)
    rest = re.sub(r"\b\w\b", " ", re.sub(FILLERS, " ", _TIME_WORDS_RE.sub(
        " ", _HOUR_RE.sub(" ", folded))))
    return bool(folded) and not re.sub(r"[^a-z]", " ", rest).split()


def others_call(folded: str) -> bool:
    """Whether a message (already ``normalise``d) tells of someone else's calls ("mon
    fils m'appelle tous les dimanches à 15h") rather than asking the team for one.
    """
    return bool(_OTHERS_CALL_RE.search(folded))


def starts_with_yes(text: str) -> bool:
    """"Volontiers, mais c'est pour ma mère", "ma mère est d'accord": a yes first."""
    sentence = re.sub(r"\s+", " ", re.sub(r"[^\w ]", " ", normalise(text))).strip()
    return bool(_ACCEPT_RE.search(sentence)) and not _NO_START_RE.search(sentence)


_MOVED_RE = re.compile(r"\b(?:a la place|plutot|decal\w*|deplac\w*|report\w*|remplac\w*)\b|"
                       # "annule mardi 11h en fait... mets mercredi 11h"
                       r"\b(?:mets|mettez|remets|remettez)\b(?! (?:rien|pas)\b)|"
                       # "non en fait annule... bon si, mets samedi 10h": taken back
                       r"\b(?:bon|ah|finalement|en fait|enfin) si\b(?= *[,.!]| (?:mets|mettez|"
                       r"appelez|rappelez|plutot))")


def moves_the_call(text: str) -> bool:
    """Whether a message that calls one moment off puts the call at another in so
    many words ("cancel Friday, can we do Sunday 4 pm instead?", "j'annule jeudi,
    on décale à samedi 10h").
    """
    return bool(_MOVED_RE.search(normalise(text)))


def _named_dates(text: str, today: date) -> List[date]:
    """The days a clause names by weekday and day of the month ("le samedi 12"),
    when the two agree.
    """
    found = []
    for m in re.finditer(r"\b(" + "|".join(WEEKDAYS) + r") (\d{1,2})\b(?!h| ?heures?)", text):
        day, _ = day_in(f"le {m.group(2)}", today)
        if day is not None and day.weekday() == WEEKDAYS.index(m.group(1)):
            found.append(day)
    return found


# "on verra bien" said of something else after the call was asked ("...le mieux ce
# serait lundi à 11h30. Ma voisine dit que c'est l'humidité, moi je dis que c'est
# l'âge, on verra bien."): a saying closing a remark, not the call put in doubt
_SEE_HOW_RE = re.compile(r"(?:^|(?<=[,.;:!?]))( *(?:mais |et |bon |enfin |bref )?"
                         r"(?:on|nous) (?:verra|verrons) bien\b *)(?=$|[,.;:!?])")
_DOUBT_RE = re.compile(r"\b(?:sais|sai|sait|sur|sure|certaine?|hesit\w*|peut etre|doute|"
                       r"verra|voir|appel\w*|benevole|dispo\w*|libre|rdv|rendez vous|"
                       r"coup de fil|creneau|moment|heure|jour)\b")
# "qu'on remette ça à plus tard": put off with no day (the farewell "à plus tard"
# is not what is said)
_PUT_OFF_LATER_RE = re.compile(r"\b((?:remet|remett|report|repouss|decal)\w*(?: (?:ca|cela|"
                               r"tout ca|tout|l appel|cet appel|notre appel|mon appel|le rdv|"
                               r"le rendez vous|le coup de fil))?) a plus tard\b")


# Someone else calls off an appointment of the person's ("le kiné a annulé ma séance",
# "le dentiste m'a annulé mon rendez-vous"): never the call, whose words are others
_OTHERS_CANCELLED_RE = re.compile(
    r"\b((?:le|la|l|mon|ma|son|sa) (?:dentiste|kine|kinesitherapeute|medecin|docteur|"
    r"generaliste|cardiologue|ophtalmo\w*|dermato\w*|podologue|pedicure|coiffeur|coiffeuse|"
    r"infirmier|infirmiere|osteo\w*|orthophoniste|opticien|notaire|banque|mairie|club|"
    r"cabinet|secretariat|hopital|clinique|laboratoire|labo|prof|professeur|association|"
    r"aide menagere|aide a domicile|auxiliaire de vie)|il|elle|ils|elles) "
    r"(?:m a|m ont|a|ont) (?:finalement |carrement |encore )?annule\b"
    r"(?= (?:mon|ma|mes|le|la|les|notre|nos) (?:rendez vous|rdv|seance|consultation|visite|"
    r"cours|atelier|soin|soins|examen|intervention|passage)\b)")


# "le facteur m'a dit que la route serait salée demain, on verra bien", "la météo
# annonce de la neige jeudi": news told by someone else, whatever day it names
_HEARSAY_RE = re.compile(r"\b(?:(?:m|nous) (?:a|ont) dit|(?:il|elle|ils|elles|on) (?:dit|disent)|"
                         r"dit|disent|annonc\w*|prevoi\w*|parait|il parait|selon|meteo)\b"
                         r"(?! (?:de |d )?(?:m |me )?(?:appeler|rappeler|telephoner))")


# "supprimez carrément, je serai au repas des anciens": the call deleted, said alone
# before a comma (the reason after it)
_DELETE_ALONE_RE = re.compile(r"^ *(?:(?:ah|oh|bon|non|euh|alors|donc|finalement|en fait) )*"
                              r"(?:supprim|annul|eff?ac)ez" + _MADE_STRONGER + r" *[,.;!]")


# "j'ai le docteur lundi à 9h mais ça c'est autre chose", "..., ça n'a rien à voir": a
# moment of the person's told as unrelated to the call
_UNRELATED_RE = re.compile(r"\b(?:mais |et )?(?:ca c est|ca cest|c est|ca|cela|ce n est) "
                           r"(?:(?:vraiment|tout a fait|encore) )?(?:autre chose|"
                           r"une autre histoire|sans rapport|pas pareil|n a rien a voir|"
                           r"rien a voir)\b"
                           r"(?: avec (?:l appel|vous|ca|cela|le coup de fil))?")
# "appelez le fixe pas le portable, il ne l'entend jamais sonner": which line, and
# the phone not heard, said of the call's number, never a moment refused
_WHICH_PHONE_RE = re.compile(
    r"\b(?:(?:et |mais )?pas (?:sur )?(?:le|son|mon|sa|ma) (?:portable|fixe|mobile|cellulaire|"
    r"telephone portable|telephone fixe)\b|"
    r"(?:ne |n )?(?:l |le |la )?entend\w* (?:pas|jamais|plus|rien|mal)\b[^,.;:!?]{0,25}?\bsonn\w*)")


def _drop_unrelated(folded: str) -> str:
    """Without the moments told as unrelated to the call (``_UNRELATED_RE``)."""
    for found in reversed(list(_UNRELATED_RE.finditer(folded))):
        start = found.start()
        for _ in range(2):
            # back to the clause told (and past a comma if the remark stands alone)
            cut = max(folded.rfind(mark, 0, start) for mark in ",.;:!?")
            start = cut + 1 if cut >= 0 else 0
            if folded[start:found.start()].strip() or folded[cut] != "," or cut < 0:
                break
            start = cut
        folded = folded[:start] + " " + folded[found.end():]
    return folded


def _drop_asides(folded: str) -> str:
    """A message (already ``normalise``d) without what does not speak of the call:
    "on verra bien" closing a remark about something else, after a moment asked
    for the call; "remettre à plus tard" said so that the farewell "à plus tard" is
    not read in it.
    """
    folded = _PUT_OFF_LATER_RE.sub(r"\1 sine die", folded)
    folded = _WHICH_PHONE_RE.sub(" ", _drop_unrelated(folded))
    # "le dentiste a annulé mon rendez-vous de vendredi 10h": someone else's
    # appointment called off, not the call (the moment is free again)
    folded = _OTHERS_CANCELLED_RE.sub(r"\1 a libere", folded)
    for found in reversed(list(_SEE_HOW_RE.finditer(folded))):
        before = folded[:found.start()].rstrip(" ,.;:!?")
        prior = re.split(r"[,.;:!?]", before)[-1]
        earlier = before[:len(before) - len(prior)]
        if prior.strip() and _HOUR_RE.search(earlier) and _CALL_RE.search(earlier) \
                and not (_DOUBT_RE.search(prior) or _TURNAROUND_RE.search(prior)
                         or _CANCEL_RE.search(prior) or _HOUR_RE.search(prior)
                         or (_NAMED_DAY_RE.search(prior)
                             and not _HEARSAY_RE.search(prior))) \
                and not _CANCEL_RE.search(earlier):
            folded = folded[:found.start()] + " " + folded[found.end():]
    return folded


def explicit_cancel(text: str) -> bool:
    """Whether a message calls the call off in so many words ("laisse tombé",
    "je dois annuler le rendez-vous du 9"), a farewell aside.
    """
    return bool(_CANCEL_RE.search(_POLITE_ENDINGS_RE.sub(" ", _drop_asides(normalise(text)))))


def spoken(moment: datetime, now_ts: float, full: bool = False) -> str:
    """"jeudi 27 novembre à 14h30" / "demain à 10h" / "aujourd'hui à 16h".

    ``full`` always names the weekday and the date: "demain, vendredi 4 décembre à
    10h" (a booking's confirmation).
    """
    words = raw("when")
    now = datetime.fromtimestamp(now_ts, moment.tzinfo)
    hour = f"{moment.hour}h{moment.minute:02d}" if moment.minute else f"{moment.hour}h"
    delta = (moment.date() - now.date()).days
    dated = f"{WEEKDAYS[moment.weekday()]} {moment.day} {words['months'][moment.month - 1]}"
    if delta == 0:
        day = f"{words['today']}, {dated}," if full else words["today"]
    elif delta == 1:
        day = f"{words['tomorrow']}, {dated}," if full else words["tomorrow"]
    else:
        day = dated
    return words["format"].format(day=day, hour=hour)


__all__ = ["CALLING_A_SERVICE_RE", "CallTime", "Proposal", "day_in", "explicit_cancel", "fold",
           "normalise", "read_at", "spoken"]
