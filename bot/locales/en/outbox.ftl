outbox-empty = Nothing is stuck in the outbox: every message was delivered or is on its way.
outbox-list = { $count ->
    [one] One message was given up on:
   *[other] { $count } messages were given up on (newest first):
}

{ $rows }

Press Retry to send one again.
outbox-row = <b>#{ $id }</b> · { $status } · to { $chat } · { $attempts } attempt(s)
    “{ $preview }”
    <i>{ $error }</i>
outbox-status-dead = dead (kept failing)
outbox-status-failed = failed (refused by Telegram)
outbox-status-pending = waiting to be sent
outbox-status-sent = sent
outbox-status-skipped = skipped (no longer needed when it was due)
outbox-retry-button = Retry #{ $id }
outbox-retried = Message #{ $id } queued again.
outbox-retry-gone = This message is no longer waiting for a retry.
outbox-managers-only = Only managers can look into the outbox.
