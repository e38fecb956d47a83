flow-timed-out = 您未完成的操作已超过 30 分钟未回复，已自动取消，未提交任何内容。
fallback-start = 请发送 /start 开始。
common-cancel = ✖ 取消
    .aliases = 取消, 退出, 算了, /cancel, cancel, stop, quit
common-cancelled = 已取消，未提交任何内容。
common-nothing-to-cancel = 当前没有需要取消的操作。
common-text-expected = 请用文字回复。
common-stale-button = 该按钮已失效。
