"""What the survey actions say. Translated through the Babel catalogs like engine strings."""

from ..engine.messages import N_

CLOSED = N_("This survey is closed right now. Thank you for your interest! Reply MENU for options.")
NONE_OPEN = N_("There is no survey open right now. Thank you! Reply MENU for options.")
TAGGED_ONLY = N_(
    "This survey is only for those we invited to answer it. Thank you for your interest! "
    "Reply MENU for options."
)
DECLINED = N_("No problem, nothing was saved. Reply MENU for options.")
# A positive PHQ-2: the crisis lines, said gently. 988 in Spanish: call and press 2, or text
# AYUDA to 988 (pressing 2 only works on a call).
SUPPORT_LINES = N_(
    "Thank you for telling us. You are not alone. Call or text 988, the Suicide & Crisis "
    "Lifeline. LA County mental health line, 24/7: 1-800-854-7771. In danger now? Call 911. "
    "Our team may reach out."
)
