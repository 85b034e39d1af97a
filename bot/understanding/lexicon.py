"""What residents write, as data: every word list and pattern the classifier uses, in one place.

Patterns are regular expressions over ``normalize``d text (lower case, no accents, no
punctuation, shorthand undone: "don't" reads "don t", "kiero" reads "quiero"). Each list says
why it is shaped the way it is; the corpora in ``tests/corpora/`` hold the evidence.
"""

from __future__ import annotations

# Words that carry no meaning for our rules when they surround a keyword: "stop please",
# "Alto por favor", "ya ALTO!!", "ok thanks stop". Removed before whole-message matching.
FILLER = (
    "please",
    "por favor",
    "ya",
    "now",
    "right now",
    "ahora",
    "ahorita",
    "ok",
    "okay",
    "thanks",
    "thank you",
    "gracias",
    "muchas gracias",
    "just",
    "hey",
    "hi",
    "hello",
    "hola",
    "oye",
    "sir",
    "senor",
    "senora",
    "bye",
    "adios",
    "asap",
    "already",
    "again",
    "immediately",
    "inmediatamente",
    "de una vez",
    "que",
    "mismo",
)

# The carriers' and the FCC's opt-out words (CTIA handbook, FCC 24-24): alone or with filler
# they always opt out, and a test holds recall on them at 100%.
OPT_OUT_WORDS = {
    "en": (
        "stop",
        "stopall",
        "stop all",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "revoke",
        "optout",
        "opt out",
    ),
    "es": (
        "alto",
        "parar",
        "para",
        "baja",
        "cancelar",
        "detener",
        "darme de baja",
        "dar de baja",
        "dame de baja",
        "denme de baja",
    ),
}

# Clear requests to stop inside a longer message. Each pattern names *our* messages or *me*
# as the object, so "cancel my appointment", "take me off the waitlist" and "no quiero recibir
# ayuda del gobierno" are not requests to stop texting.
_LIST = (
    r"(?:your|this|the|ur|all|all your|the texting|the sms|your texting|the mailing|"
    r"your mailing)"
)
_LIST_NOUN = r"(?:list|lists|texts?|messages?|sms|contacts?|contact list|database|system)"
_ES_LIST = (
    r"(?:la|su|sus|tu|tus|esta|esa|la de|de la) (?:lista|listas|base de datos|contactos)"
    r"(?! de espera)"  # "la lista de espera" is a waitlist, not our list
)
OPT_OUT_PHRASES = {
    "en": (
        r"unsubscribe",
        r"opt (?:me )?out",
        r"(?:revoke|withdraw|cancel) (?:my |all |the )?(?:consent|permission)",
        r"wrong (?:number|person|phone)",
        r"(?:stop|quit) (?:texting|messaging|sending|contacting|txting|writing|messages|texts)",
        r"stop (?:the|these|those|your|all|all the|all these|all your|sending me|sending) "
        r"(?:texts?|messages?|sms|alerts)",
        r"no more (?:texts?|messages?|sms|alerts)",
        r"enough (?:with )?(?:the |your |these |all the )?(?:texts?|messages?|sms)",
        r"(?:don t|do not|never) (?:text|message|contact|write|sms) (?:me|us|this number)",
        r"(?:don t|do not) send me (?:any )?(?:more )?(?:texts?|messages?|anything)",
        r"(?:don t|do not) want (?:any )?(?:more )?(?:these |your |the |this )?"
        r"(?:texts?|messages?|sms)",
        rf"(?:remove|take|delete) (?:me|my number|my phone number) (?:off |from )(?:of )?"
        rf"{_LIST} {_LIST_NOUN}",
        r"(?:remove|take) (?:me|my number) off$",
        r"remove me$",
        r"(?:delete|lose|erase|remove) my (?:phone )?number",
    ),
    "es": (
        r"(?:darme|darnos|dar|denme|deme|dame|den) de baja",
        r"(?:sacame|saquenme|sacarme|saqueme|quitenme|quitame|quitarme|quiteme|borrenme|borrame|"
        rf"borrarme|eliminenme|eliminame|eliminarme) de {_ES_LIST}",
        r"(?:borren|borrar|eliminen|quiten|saquen|borra|quita|saca) mi (?:numero|telefono|cel)",
        r"borrenme",
        r"no (?:me )?(?:manden|envien|escriban|mande|envie|escriba|mandes|envies|escribas|"
        r"textees|texteen)(?: mas)?(?: (?:mensajes|textos|nada))?",
        r"no (?:quiero|deseo|necesito) (?:recibir )?(?:mas |sus |tus |estos |los |ningun )?"
        r"(?:mensajes|textos|sms)",
        r"no mas (?:mensajes|textos|sms)",
        r"basta de (?:mensajes|textos|sms)",
        r"no quiero que me (?:manden|envien|escriban|mandes|envies|escribas)",
        r"(?<!no )(?:dejen|deja|deje|dejar) de (?:escribir|mandar|enviar|textear|mensajear)\w*",
        r"numero equivocado",
        r"(?:se )?equivoc\w* de (?:numero|persona)",
        rf"me (?:saquen|quiten|borren|eliminen|saquen) de {_ES_LIST}",
        r"me (?:doy|puedo dar|den|dan|pueden dar) de baja",
        r"(?:cancelar|cancela|cancelen|anular) (?:mi |la |esta )?(?:suscripcion|inscripcion)",
        r"desuscrib\w*",
        r"desinscrib\w*",
        r"ya no quiero (?:estar en|recibir) (?:la lista|mensajes|textos)",
    ),
}

# Could be a request to stop, could be something else: asked once ("Do you want to stop getting
# our messages? Reply STOP"). Whole message only: "no more food at the pantry" asks nothing.
ASK_WHOLE = {
    "en": (
        "no more",
        "enough",
        "stop it",
        "i want to stop",
        "i want to cancel",
        "not interested",
        "i m not interested",
        "i am not interested",
        "go away",
        "stop bothering me",
        "leave me alone",
        "no more please",
    ),
    "es": (
        "ya no",
        "no mas",
        "basta",
        "ya basta",
        "ya estuvo",
        "no me interesa",
        "quiero parar",
        "quiero cancelar",
        "ya no quiero",
        "no molesten",
        "no me molesten",
        "dejame en paz",
        "dejenme en paz",
        "dejeme en paz",
        "no quiero nada",
    ),
}
# The same wishes inside a longer message.
ASK_PHRASES = {
    "en": (r"leave me alone", r"stop bothering me", r"go away"),
    "es": (
        r"dejame en paz",
        r"dejenme en paz",
        r"dejeme en paz",
        r"no me molesten",
        r"dejen de molestar",
    ),
}

# Someone else is the subject ("my ex won't leave me alone", "mi casero no deja de mandarme
# mensajes"): the resident is describing a problem, not asking us to stop. Looked for in the
# few words before a stop phrase.
OTHER_SUBJECT = (
    r"(?:my|mi|mis|our|nuestro|nuestra) (?:ex|husband|wife|boyfriend|girlfriend|partner|"
    r"landlord|landlady|boss|neighbor|neighbour|son|daughter|kids?|esposo|esposa|marido|novio|"
    r"novia|pareja|casero|casera|dueno|duena|patron|patrona|jefe|jefa|vecino|vecina|hijo|hija|"
    r"hijos|suegra|suegro|manager|cousin|primo|prima|family|familia|papa|mama|dad|mom)",
    r"(?:he|she|they|ella|ellos|ellas|someone|somebody|alguien|this guy|este senor|ese senor)",
    r"(?:won t|will not|doesn t|does not|didn t|wouldn t|keeps?|kept|no deja|no dejan|no para|"
    r"no paran|sigue|siguen|nunca)",
)

# Danger from someone else. With these, an unclear "leave me alone" is not met with "do you
# want to stop our messages?": the message goes on to the conversation (a shelter search).
SAFETY = (
    r"abus\w*",
    r"violen\w*",
    r"(?:hit|hits|hurt|hurts|beat|beats|beating|choke|chokes|kick|kicks) me",
    r"threat\w*",
    r"stalk\w*",
    r"harass\w*",
    r"afraid",
    r"scared",
    r"unsafe",
    r"danger\w*",
    r"shelter",
    r"me (?:pega|golpea|golpeo|pego|maltrata|lastima|amenaza|persigue|acosa)",
    r"golpe\w*",
    r"amenaz\w*",
    r"acos\w*",
    r"miedo",
    r"maltrat\w*",
    r"peligro\w*",
    r"albergue",
    r"refugio",
)

# Someone telling us of violence or abuse at home, or fear of a partner: answered with the
# domestic-violence lines (bot.engine.messages.SAFETY), never taken for an opt-out. Narrower
# than SAFETY above on purpose: "shelter" or "albergue" alone is a request for housing.
PARTNER = (
    r"(?:esposo|esposa|marido|mujer|pareja|novio|novia|ex|husband|wife|partner|boyfriend"
    r"|girlfriend|spouse)"
)
VIOLENCE = {
    "es": (
        r"me (?:pega|pego|golpea|golpeo|maltrata|lastima|amenaza|ahorca|ahorco|patea|empuja)",
        r"(?:pega|golpea|maltrata|lastima|amenaza) a mis hij\w+",
        r"abusa de mi",
        r"violencia (?:domestica|familiar|en (?:mi|la) casa)",
        r"hay violencia",
        rf"(?:tengo )?miedo (?:de|a) mi {PARTNER}",
        # Fear alone is often of an eviction or a bill: only with a partner named before it.
        rf"{PARTNER}\b.*\btengo miedo",
    ),
    "en": (
        r"(?:hits?|beats?|chokes?|choked|kicks?|kicked|hurts|slaps?|slapped|threatens|threatened)"
        r" me",
        r"(?:hurts|hits|beats) (?:me and )?(?:the|my) kids",
        r"abusive",
        r"domestic (?:violence|abuse)",
        rf"(?:afraid|scared) of my {PARTNER}",
        rf"my {PARTNER} is (?:violent|abusive)",
        rf"(?:{PARTNER}|he)\b.*\b(?:i m|i am|im) (?:scared|afraid)",
    ),
}

# Words of a person in crisis, in both languages. Safety first: recall over precision (a
# false alarm costs one message with phone numbers; a miss can cost a life), but ordinary
# idioms are kept out ("me muero de hambre", "this traffic is killing me", "I can't go on
# Tuesday"). Clitic order is covered both ways: "me quiero suicidar" / "quiero suicidarme".
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
CRISIS = {
    "en": (
        r"suicid(?:e|es|al|ality)",
        r"kill(?:ing)? my ?self",
        # Someone telling us about a child or partner in danger gets the same lines.
        r"(?:kill|killing|hurt|hurting|cut|cutting|cuts|hurts|kills) "
        r"(?:him|her|them) ?sel(?:f|ves)",
        r"(?:end|ending|take|taking) (?:his|her|their) (?:own )?life",
        r"wants to (?:die|be dead)",
        r"kms",
        r"end(?:ing)? (?:my|this) (?:own )?life",
        r"end it all",
        r"take my (?:own )?life",
        r"want(?:ed)? to die",
        r"want to be dead",
        r"wish i (?:was|were|could be) dead",
        r"wish i (?:wasn t|weren t|was not|were not) (?:alive|here|born)",
        r"better off (?:dead|without me)",
        r"(?:can t|can not) go on(?! " + _WEEKDAY + r"| (?:the|a|an|that|this|my|your|our|"
        r"today|tomorrow|tonight|time|vacation|trips?)\b)",
        r"(?:can t|can not) (?:take|do|handle) (?:it|this|life) any ?more",
        r"(?:don t|do not) want to (?:live|be alive|exist|wake up|be here any ?more)",
        r"no reason to live",
        r"nothing to live for",
        r"not worth living",
        r"hurt(?:ing)? my ?self",
        r"cut(?:ting)? my ?self",
        r"self harm\w*",
        r"unalive",
        r"overdose\w*",
        r"(?:feel like|want to|going to|thinking (?:about|of)|about to) end(?:ing)? "
        r"(?:it|things|everything)",
        r"(?:tired|sick) of (?:living|life|being alive)",
        r"never wake up(?! (?:on time|early|in time|for))",
        r"(?:pain|suffering|it all|everything) to (?:stop|end) forever",
        r"(?:no|don t see the|what s the|whats the) point (?:in |of )?(?:living|life|going on)",
        r"(?:want to|wish i could)(?: just)? disappear(?: forever)?",
        r"(?:want to|wish i could)(?: just)? sleep forever",
        r"(?:i m|i am|im) done with (?:life|living|it all|everything)",
        r"giv(?:e|ing) up on (?:life|living)",
        r"life (?:isn t|is not|ain t) worth (?:it|living)",
        r"want (?:it all|everything|it) to (?:all )?end",
        r"(?:nobody|no one|noone) would (?:miss me|care if i (?:was|were) gone|care if i died)",
        r"(?:take|taking|swallow|swallowing) (?:them all|all (?:of )?(?:the |my |these )?"
        r"(?:pills|meds|medicine|medication))",
        r"(?:jump|jumping) (?:off|from) (?:a|the) (?:bridge|building|roof)",
        r"hang(?:ing)? myself",
        r"slit(?:ting)? my wrists?",
    ),
    "es": (
        r"suicid(?:io|ios|arme|arse|ar|a|as|ado|ada|o)",
        r"me (?:quiero|queria|quisiera|voy a|iba a|pienso|podria|deberia|dan ganas de|"
        r"daban ganas de|gustaria) (?:suicidar|matar|quitar la vida|morir)",
        r"se (?:quiere|queria|quisiera|va a|iba a) (?:suicidar|matar|quitar la vida|morir)",
        r"(?:quitarse|quitarte) la vida",
        r"(?:quiere|queria|quisiera|desea|va a) (?:morirse|matarse)",
        # A child harming themselves: "mi niña se está cortando" (not "se corta el pelo").
        r"(?:hij[oa]s?|nin[oa]s?|muchach[oa]s?|chamac[oa]s?|adolescente|ella|el) se "
        r"(?:esta |anda )?(?:cortando|corta|lastimando|lastima)"
        r"(?! (?:el|la|las|los|un|una) (?:pelo|cabello|unas|rodilla|pie|dedo|mano))",
        r"(?:suicidarme|matarme|quitarme la vida|hacerme dano|lastimarme)",
        r"(?:quiero|queria|quisiera|quisiese|deseo|ganas de) morir(?:me)?",
        r"me (?:quiero|queria|quisiera) morir",
        r"no quiero (?:seguir )?(?:vivir|viviendo|existir|despertar)",
        r"no quiero (?:estar|seguir) viv[oa]s?",
        r"(?:quiero|quisiera|prefiero) dejar de vivir",
        r"no puedo seguir(?: (?:asi|viviendo|adelante))?$",
        r"ya no quiero (?:seguir|estar aqui|estar en este mundo)",
        r"ya no (?:aguanto|soporto)",
        r"no (?:aguanto|soporto|puedo) mas",
        r"(?:estaria|estarian|estarias|estarian|vivirian|vivirias) mejor sin mi",
        r"mejor sin mi",
        r"mejor muert[oa]s?",
        r"no vale la pena (?:vivir|seguir)",
        r"(?:acabar|terminar) con (?:mi vida|todo)",
        r"(?:sin|no tengo|no tengo mas) ganas de vivir",
        r"quisiera (?:estar muert[oa]|no despertar|desaparecer)",
        r"me quiero ir de este mundo",
        r"no (?:le )?(?:veo|encuentro) (?:el )?sentido a (?:nada|la vida|mi vida|vivir|seguir)",
        r"mejor (?:morirme|morir|estar muert[oa]|no estar aqui|no existir)",
        r"(?:cansad[oa]s?|hart[oa]s?|me canse|me harte) de (?:vivir|la vida)",
        r"(?:aventarme|tirarme|lanzarme|me quiero aventar|me quiero tirar) "
        r"(?:del|de un|de una|al|a un|a las) (?:puente|edificio|tren|metro|carro|techo|vias)",
        r"(?:colgarme|ahorcarme|me quiero colgar|me quiero ahorcar)",
        r"cortarme las venas",
        r"(?:tomarme|me voy a tomar|me quiero tomar) (?:todas )?(?:las|mis) pastillas",
        r"(?:dejar de|no quiero) existir",
        r"desaparecer (?:para siempre|del mundo)",
        r"dormir(?:me)? y (?:no|nunca) (?:volver a )?despertar(?:me)?",
        r"nadie (?:me )?(?:extranaria|notaria)",
        r"a nadie le importaria (?:si me muero|si muero|que me muera|si no estoy)",
        r"si me muero nadie",
        r"(?:quiero|ojala) que todo (?:termine|se acabe)",
        r"(?:me quiero ir|irme) para siempre",
        r"(?:no tengo|ya no tengo|sin) (?:razones|razon|motivos?) (?:para|de) vivir",
        r"(?:pienso|pensando|pense|he pensado) en (?:morir|morirme|matarme|suicidarme|"
        r"quitarme la vida|hacerme dano)",
    ),
}

OPT_IN_WORDS = {
    "en": ("start", "unstop", "subscribe", "yes start", "start again", "resubscribe"),
    "es": ("alta", "inicio", "empezar", "comenzar", "darme de alta", "suscribirme", "volver"),
}
# Asking to get our messages again in a sentence ("quiero darme de alta otra vez", "sign me
# back up"). Whole message only (after filler), like the words above: START matters only to a
# contact who opted out, and then it must be understood however it is said.
OPT_IN_PHRASES = {
    "en": (
        r"(?:i want to |i d like to |i would like to |can i |let me )?"
        r"(?:subscribe|resubscribe|re subscribe|sign up|opt in|opt back in)(?: back)?",
        r"sign me (?:back )?up",
        r"(?:start|keep) (?:texting|messaging|sending) me(?: messages| texts)?",
        r"i want (?:the |your )?(?:texts|messages) (?:back)",
    ),
    "es": (
        r"(?:quiero |quisiera |me quiero |puedo |pueden )?(?:darme|dar|denme|dame|volver a darme|"
        r"dar) de alta(?: otra vez| de nuevo)?",
        r"(?:quiero |quisiera )?(?:volver a )?recibir (?:los |sus |tus )?(?:mensajes|textos)"
        r"(?: otra vez| de nuevo)?",
        r"(?:manden|envien|mandenme|envienme|vuelvan a mandarme|vuelvan a enviarme)"
        r"(?: los)? (?:mensajes|textos)(?: otra vez| de nuevo)?",
    ),
}

# HELP and the ways people ask for help with nothing else said: the carriers' HELP notice
# plus a way to reach a person. "ayuda con la renta 90011" is a request, not this.
HELP_WORDS = {
    "en": (
        "help",
        "info",
        "help me",
        "i need help",
        "need help",
        "can you help me",
        "can you help",
        "information",
    ),
    "es": (
        "ayuda",
        "informacion",
        "info",
        "ayudame",
        "ayudenme",
        "necesito ayuda",
        "me ayudan",
        "me pueden ayudar",
        "me puedes ayudar",
        "quiero ayuda",
        "auxilio",
    ),
}
MENU_WORDS = {
    "en": ("menu", "main menu", "options", "back to menu", "show menu", "the menu"),
    "es": (
        "menu",
        "opciones",
        "inicio menu",
        "menu principal",
        "volver al menu",
        "ver menu",
        "el menu",
        "ver opciones",
    ),
}
LANGUAGE_WORDS = {
    "es": (
        "es",
        "espanol",
        "spanish",
        "en espanol",
        "in spanish",
        "hablo espanol",
        "habla espanol",
        "hablas espanol",
        "spanish please",
        "castellano",
    ),
    "en": (
        "en",
        "english",
        "ingles",
        "in english",
        "en ingles",
        "speak english",
        "do you speak english",
        "hablo ingles",
        "i speak english",
    ),
}

# Asking for a person instead of the bot: the whole message is one of these words, or a
# sentence holds one of the phrases. Bare "persona" / "a person" are left out on purpose:
# "una persona" answers "how many people live in your home?".
PERSON_WORDS = {
    "en": (
        "human", "a human", "agent", "an agent", "real person", "a real person", "operator",
        "representative", "staff", "live person", "live agent", "person please",
        "human please", "talk to a person", "speak to a person",
    ),
    "es": (
        "humano", "un humano", "agente", "un agente", "persona real", "una persona real",
        "operador", "operadora", "representante", "asesor", "asesora", "persona por favor",
        "hablar con una persona", "hablar con alguien",
    ),
}  # fmt: skip
_SOMEONE_EN = (
    r"(?:a |an |some )?(?:real |live |actual )?(?:person|human|someone|somebody|agent|"
    r"representative|operator|staff|member of (?:your |the )?(?:staff|team))"
)
_SOMEONE_ES = (
    r"(?:(?:una|un) )?(?:persona(?: real| de verdad)?|humano|alguien|agente|representante|"
    r"operador|operadora|asesor|asesora|promotor|promotora|staff)"
)
PERSON_PHRASES = {
    "en": (
        rf"(?:talk|speak|chat|text) (?:to|with) {_SOMEONE_EN}",
        rf"(?:connect|transfer|put) me (?:to|with|through to) {_SOMEONE_EN}",
        r"(?:want|need) (?:a )?(?:real |live )?(?:person|human|agent)",
    ),
    "es": (
        rf"(?:hablar|platicar|conversar|escribirme|comunicar(?:me)?|chatear) con {_SOMEONE_ES}",
        rf"(?:pasame|pasenme|comunicame|comuniquenme|conectame|conectenme) con {_SOMEONE_ES}",
        r"(?:quiero|necesito) (?:una persona|un humano|un agente)",
    ),
}
# "I don't want to talk to a person", "no necesito hablar con nadie": not a request.
PERSON_NOT = (
    r"don t (?:want|need)",
    r"do not (?:want|need)",
    r"no (?:quiero|necesito)",
)

# A flow's trigger word found inside a sentence starts the flow only when the sentence asks
# for something: a ZIP code or one of these cues ("necesito comida cerca de 90011", "hay
# comida gratis?", "I need food"). "the food bank stopped giving bags" starts nothing.
REQUEST_CUES = (
    r"necesit\w*",
    r"busc\w*",
    r"hay",
    r"donde",
    r"quiero",
    r"queremos",
    r"tienen",
    r"dan",
    r"regalan",
    r"gratis",
    r"cerca",
    r"ayuda con",
    r"ayudan con",
    r"need\w*",
    r"looking for",
    r"look for",
    r"where",
    r"any",
    r"is there",
    r"are there",
    r"get",
    r"want",
    r"free",
    r"near",
    r"help with",
    r"find",
)
# Paging words (MORE / MÁS) mean "more" only as the whole message: "quiero más comida" asks
# for food and "más o menos" answers a question; neither asks for the next page.
# Words that make a sentence something other than a request ("cancel my appointment at the
# clinic" names a clinic but asks for none).
NOT_A_REQUEST = (r"cancel\w*", r"reschedul\w*", r"reprogramar")
NAVIGATION = ("more", "more places", "next", "mas", "mas lugares", "siguiente", "otros")

# "Yes" / "no" to "Do you want to stop getting our messages?" (the question is asked once).
DENY = ("no", "n", "nope", "nah", "no thanks", "no gracias", "nel", "no quiero", "i don t")
CONFIRM = (
    "yes",
    "y",
    "yeah",
    "yep",
    "yes please",
    "yes i do",
    "i do",
    "si",
    "s",
    "sip",
    "claro",
    "si claro",
    "si por favor",
    "si quiero",
    "correcto",
)
