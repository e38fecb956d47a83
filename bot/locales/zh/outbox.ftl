outbox-empty = 发件箱中没有积压：所有消息均已送达或正在发送。
outbox-list = { $count ->
   *[other] 共有 { $count } 条消息发送失败（最新在前）：
}

{ $rows }

按“重试”可重新发送。
outbox-row = <b>#{ $id }</b> · { $status } · 发往 { $chat } · 已尝试 { $attempts } 次
    “{ $preview }”
    <i>{ $error }</i>
outbox-status-dead = 已放弃（多次失败）
outbox-status-failed = 失败（被 Telegram 拒绝）
outbox-status-pending = 等待发送
outbox-status-sent = 已发送
outbox-status-skipped = 已跳过（到期时已不需要）
outbox-retry-button = 重试 #{ $id }
outbox-retried = 消息 #{ $id } 已重新排队。
outbox-retry-gone = 这条消息已不再等待重试。
outbox-managers-only = 只有主管可以查看发件箱。
