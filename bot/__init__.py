"""Vecino: a bilingual (Spanish/English) SMS and Telegram bot for community organizations."""
