"""What the outreach actions say. Translated through the Babel catalogs like engine strings."""

from ..engine.messages import N_

WHEN = N_("When: {date}, {start} to {end}")
WHERE = N_("Where: {place}")
ONLINE = N_("Online: {link}")
CALENDAR = N_("Add to your calendar: {url}")

RSVP_YES = N_(
    "Great, see you there! We will remind you before it starts. If you can't go, reply "
    "CAN'T MAKE IT."
)
RSVP_WAITLIST = N_(
    "This event is full, so you are on the waiting list. We will text you if a seat opens up."
)
RSVP_NO = N_("Thanks for letting us know. We hope to see you another time.")
RSVP_SAME = N_("We already have your answer. Thank you!")
DROPPED = N_("Got it, we let your seat go. Thanks for telling us.")
NOTHING_TO_CHANGE = N_("You have no upcoming event to change. Reply MENU for options.")
NO_UPCOMING = N_("You have no upcoming events with us. Reply MENU for options.")

CLOSED_CANCELLED = N_("Sorry, that event was cancelled. Reply MENU for options.")
CLOSED_PAST = N_("That event already happened. Thank you! Reply MENU for options.")
CLOSED_UNKNOWN = N_("We could not find that event. Reply MENU for options.")

WHICH_EVENT = N_("You have more than one invitation. Which event is your answer for?")
WHICH_TO_DROP = N_("Which event can't you go to?")

REMINDER = N_("Reminder of an event you said yes to:")
STILL_COMING = N_("Can you still come?")
NOTICE_CHANGED = N_("An event you said yes to has changed:")
NOTICE_CANCELLED = N_("Sorry, this event was cancelled:")
PROMOTED = N_("Good news: a seat opened up, and it is yours!")

NO_VOTE = N_("There is no vote open right now. Reply MENU for options.")
VOTE_CLOSED = N_("Sorry, this vote is closed. Reply MENU for options.")
VOTE_THANKS = N_("Thank you! Your vote: {option}.")
VOTE_CHANGED = N_("We changed your vote to: {option}.")
VOTE_NOT_ELIGIBLE = N_(
    "Sorry, this vote is only for the members it was meant for, and this number is not on the "
    "list. If that's a mistake, tell the organizer who invited you. Reply MENU for options."
)

NO_COMMENT_ROUND = N_("There is nothing open for comment right now. Reply MENU for options.")
COMMENT_ON = N_("Comment on: {title}")
COMMENT_SAVED = N_("Thank you! We saved your comment to submit it.")
COMMENT_NOT_SAVED = N_("OK, we did not keep your comment. Reply MENU for options.")
COMMENT_CLOSED = N_("Sorry, comments on this are closed. Reply MENU for options.")

INTERVIEW_THANKS = N_(
    "Thank you! A person from our team will text you to pick a time that works for you. "
    "Reply MENU for options."
)

THANKS_FOR_COMING = N_("Thank you for coming to {title}!")
FEEDBACK_SAVED = N_(
    "Thank you for telling us. It helps us plan the next one! Reply MENU for options."
)

SLOTS_HEADER = N_("Open times ({minutes} minutes each):")
SLOT_TAKEN = N_("Sorry, someone just took that time. These times are still open:")
SLOT_BOOKED = N_(
    "You're booked! We will remind you before it starts. If you can't go, reply CAN'T MAKE IT."
)
SLOT_ALREADY = N_("You already have a time with us:")
SLOTS_NONE_LEFT = N_(
    "Sorry, all the times are taken now. A person from our team will contact you to find "
    "another time. Reply MENU for options."
)
SLOTS_NONE_FIT = N_(
    "Thanks for telling us. A person from our team will contact you to find a time that "
    "works for you. Reply MENU for options."
)
