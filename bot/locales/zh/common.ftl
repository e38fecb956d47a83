flow-timed-out = 您未完成的操作已超过 30 分钟未回复，已自动取消，未提交任何内容。
fallback-start = 请发送 /start 开始。
