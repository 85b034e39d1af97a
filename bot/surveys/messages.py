"""What the survey actions say. Translated through the Babel catalogs like engine strings."""

from ..engine.messages import N_

CLOSED = N_("This survey is closed right now. Thank you for your interest! Reply MENU for options.")
NONE_OPEN = N_("There is no survey open right now. Thank you! Reply MENU for options.")
WHICH_SURVEY = N_("Which survey? Reply with its words:")
DECLINED = N_("No problem, nothing was saved. Reply MENU for options.")
SUPPORT_LINES = N_(
    "Thank you for telling us. You don't have to face this alone: call or text 988 (Spanish: "
    "press 2) or the LA County 24/7 mental health line, 1-800-854-7771. Our team may reach out."
)
