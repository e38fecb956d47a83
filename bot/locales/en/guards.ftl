guard-flood = You are sending messages very quickly, so I will pause for { $minutes } minute(s). Please wait a moment, then send one message at a time.
