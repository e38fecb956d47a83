"""Documents Frontdoor renders for people (PDF receipts, chart images, workbooks): plain bytes from
plain data, no Telegram and no database here, so the CLI can render them without the bot."""
