"""What the bot keeps: the engine and sessions, the tables, the migrations, who commits (see
transaction.py), the data access (repositories) and aiogram's conversation storage."""
