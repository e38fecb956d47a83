flow-timed-out = Your unfinished request was dropped after 30 minutes without an answer. Nothing was sent.
fallback-start = Please send /start to begin.
