"""What the resource finder says, marked for Babel (Spanish in locales/es)."""

from __future__ import annotations

from ..i18n import N_

RESULTS_HEADER_ZIP = N_("{category} near {zip}:")
RESULTS_HEADER_HERE = N_("{category} near you:")
MORE_HEADER = N_("More {category} near {place}:")
HERE = N_("you")
OPEN_NOW_TODAY = N_("Open now, today {hours}")
TODAY = N_("Today {hours}")
CLOSED_NOW_NEXT = N_("Opens {when}")
NO_UPCOMING_HOURS = N_("No upcoming hours listed")
CALL_FOR_HOURS = N_("Call for hours")
REPLY_MORE = N_("Reply MORE for more.")
NO_MORE_RESULTS = N_("That's all near there. For more help, dial 2-1-1 (211 LA County).")
VERIFIED_LONG_AGO = N_("Info from {year}: call before you go.")
NOTHING_NEAR = N_(
    "Sorry, I have no {category} places within 10 miles of {place} in my list. 211 LA County "
    "can help: dial 2-1-1, any time, in Spanish or English."
)
NO_SEARCH_TO_CONTINUE = N_(
    "There is no search to continue. Tell me what you need and your ZIP code, like FOOD 90057."
)
UNKNOWN_ZIP = N_("I can't find the ZIP code {zip}. Please check it.")
OUTSIDE_LA_ZIP = N_(
    "{zip} is outside LA County, and my list only covers LA County. Where you are, dial 2-1-1 "
    "for help near you."
)
OUTSIDE_LA_POINT = N_(
    "That location is outside LA County, and my list only covers LA County. Dial 2-1-1 for "
    "help near you."
)
BAD_LOCATION = N_("I could not read that location.")
MALFORMED_ZIP = N_("{text} is not a ZIP code: a ZIP has 5 numbers.")
TWO_ZIPS = N_("I see more than one ZIP code ({zips}).")
CATEGORY_NOT_FOUND = N_("Sorry, I did not find that in my list.")
LAST_ZIP = N_("Last time you searched near {zip}.")
AREA_FOUND = N_("{area}: I will look near ZIP {zip}.")
UNKNOWN_AREA = N_(
    "I don't know that place. 211 LA County can help you find help near you: dial 2-1-1, any "
    "time, in Spanish or English. Reply MENU for options."
)
EMPTY_DIRECTORY = N_(
    "My list of places is empty right now. 211 LA County can help: dial 2-1-1, any time."
)
TODAY_AT = N_("today {time}")
TOMORROW_AT = N_("tomorrow {time}")
DAY_AT = N_("{day} {time}")
DATE_AT = N_("{day} {month} {date} {time}")
