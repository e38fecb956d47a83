flow-timed-out = Your unfinished request was dropped after 30 minutes without an answer. Nothing was sent.
fallback-start = Please send /start to begin.
common-cancel = ✖ Cancel
    .aliases = cancel, stop, quit, exit, /cancel, 取消, 退出
common-cancelled = Cancelled. Nothing was sent.
common-nothing-to-cancel = There is nothing to cancel.
common-text-expected = Please answer with a text message.
common-stale-button = This button is no longer valid.
