"""System strings the engine sends. Marked for extraction; translated per resident by Babel.

English is the source language (``msgid``); ``locales/es/LC_MESSAGES/messages.po`` holds
Spanish. Keep these short: every 160 GSM-7 (or 70 UCS-2) characters is one more paid segment.
"""


def N_(message: str) -> str:
    """Mark a string for ``pybabel extract`` without translating it yet."""
    return message


HELP = N_(
    "{program}: community help for food, housing and more. Reply MENU for options. "
    "Reply STOP to opt out. Msg & data rates may apply."
)
# With VECINO_HELP_CONTACT set: the carriers ask that HELP name a way to reach a person.
HELP_WITH_CONTACT = N_(
    "{program}: community help for food, housing and more. Reply MENU for options. "
    "To talk to a person: {contact}. Reply STOP to opt out. Msg & data rates may apply."
)
HELP_OPTED_OUT = N_(
    "{program}: you get no messages from us. Reply START to get them again. "
    "Msg & data rates may apply."
)
OPTED_OUT = N_("{program}: you will get no more messages from us. Reply START to come back.")
OPTED_IN = N_("{program}: welcome back! Reply HELP for help, STOP to opt out.")
# An unclear wish to stop ("leave me alone", "no more"): asked once, never assumed.
CONFIRM_OPT_OUT = N_("Do you want to stop getting our messages? Reply STOP.")
# Each language within 3 SMS segments (a test counts them). 988 in Spanish: call and press 2,
# or text AYUDA to 988; pressing 2 does nothing in a text.
CRISIS = N_(
    "You are not alone. Call or text 988 (Suicide & Crisis Lifeline). LA County mental "
    "health 24/7: 1-800-854-7771. In danger now? Call 911. We told our team."
)
# Violence or abuse at home (not a suicide crisis): the national hotline (Spanish spoken; text
# START to 88788), LA County's 24-hour line, and 911. Within 3 SMS segments per language.
SAFETY = N_(
    "You deserve to be safe. DV Hotline 24/7: call 1-800-799-7233 or text START to 88788. "
    "LA County DV line: 1-800-978-3600. In danger now? Call 911. We told our team."
)
# Said while the bot is paused for a person (asked again, HELP, "no" to "stop?"): nothing is
# lost, a person will answer, and how to get the bot back.
HANDOFF_WAITING = N_(
    "A person from {program} will answer you here. Reply MENU to go back to the bot."
)
LANGUAGE_SET = N_("OK, I will write to you in English.")
EXPIRED = N_("Welcome back! Our last conversation timed out, so let's start again.")
NOT_UNDERSTOOD = N_("Sorry, I did not understand that.")
CHOOSE_NUMBER = N_("Please reply with the number of an option.")
ANSWER_YES_NO = N_("Please reply YES or NO.")
OUT_OF_RANGE = N_("Please reply with a number from {minimum} to {maximum}.")
NEED_NUMBER = N_("Please reply with a number.")
NEED_ZIP = N_("Please send your 5-digit ZIP code, like 90057.")
ONE_ZIP = N_("Please send just one ZIP code.")
# Neutral on purpose: SMS cannot share a location (Telegram shows its own button for that).
NEED_LOCATION = N_("Please send your 5-digit ZIP code, like 90057.")
EMPTY = N_("Your message came through empty.")
MEDIA_ONLY = N_("I can only read text. Please type your answer.")
OFFER_MENU = N_("Reply MENU to see all the options.")
STALE_BUTTON = N_("That button belongs to an earlier question. Here is where we are now:")
YES = N_("Yes")
NO = N_("No")
CHOOSE_SEVERAL = N_("Reply with one or more numbers, like: 1 3")
JUST_ONE = N_("Please choose just one option.")
NOT_TOGETHER = N_("That option cannot go with the others. Please choose again.")
NEED_DATE = N_("Please send a date, like 3/15/2024, or a month and year, like 3/2024.")
AMBIGUOUS_DATE = N_("Please write the month as a word, like March 4 2024.")
SKIP_HINT = N_("Reply SKIP to skip this question.")
NO_PREVIOUS = N_("This is the first question, so there is nothing to go back to.")

# ---- Short re-prompts (surveys helper): one line with the option numbers, not the whole
# question again; the whole question comes back on request ("?", "repite") or after repeated
# misses. Each piece is a whole sentence; the engine joins them on one line after
# NOT_UNDERSTOOD (or EMPTY, JUST_ONE, NOT_TOGETHER).
REPLY_NUMBERS = N_("Reply {numbers}.")
OR_LIST = N_("{first} or {last}")
REPLY_ONE_OR_MORE = N_("Reply one or more numbers (like 1 3).")
REPLY_YES_NO = N_("Reply YES or NO.")
REPLY_A_NUMBER = N_("Reply with a number, like 3.")
TYPE_YOUR_ANSWER = N_("Please type your answer.")
OR_SKIP = N_("Or reply SKIP.")
