cb-weekday = { $day ->
    [mon] 周一
    [tue] 周二
    [wed] 周三
    [thu] 周四
    [fri] 周五
    [sat] 周六
   *[sun] 周日
}
cb-slot = { $date } { $weekday } { $start }–{ $end }
cb-topic-ticket = 关于工单 #{ $number }
cb-topic-fees = 关于物业费
cb-topic-other = 其他事项
cb-ask-topic = 📞 我们会给您回电。请问您想咨询什么？
cb-btn-ticket = #{ $number } { $category }
cb-btn-fees = 💳 物业费
cb-btn-other = 💬 其他事项
cb-btn-quit = ✖ 取消
cb-ask-note = 请给工作人员留一句简短说明（不超过 { $limit } 个字），或点击“跳过”。
cb-btn-skip = 跳过 ➡
cb-note-too-long = 说明请控制在 { $limit } 个字以内，或点击“跳过”。
cb-note-expected = 请输入一句简短说明（不超过 { $limit } 个字），或点击“跳过”。
cb-ask-slot = 您希望我们什么时候来电？时间均为本地时间，请选择时段：
cb-use-buttons = 请使用上方的按钮，或发送 /cancel 退出。
cb-slot-gone = 该时段已不可预约，请另选一个时段。
cb-confirm = 请确认您的回电预约：
    事项：{ $topic }
    说明：{ $note }
    时间：{ $slot }
cb-btn-confirm = ✅ 确认预约
cb-booked = ✅ 预约成功！我们将在 { $slot } 给您回电。点击“📞 预约回电”可查看或取消预约。
cb-refused-limit = 您已预约了 { $count } 次回电，已达上限。请先取消一个预约，或待回电完成后再预约。
cb-refused-duplicate = 您在该时段已有回电预约。
cb-ticket-gone = 该工单已不在处理中，请选择其他事项。
cb-stale = 这个问题已失效。请点击“📞 预约回电”重新开始。
cb-overview-title = 📞 您已预约的回电（{ $count } 个）：
cb-overview-line = • { $slot } — { $topic }
cb-btn-cancel-one = ✖ 取消 { $slot }
cb-btn-book-another = ➕ 再预约一次回电
cb-limit = 同一时间最多只能保留 { $count } 个回电预约。
cb-not-found = 未找到该回电预约。
cb-not-booked = 该回电预约已不在预约状态，无需取消。
cb-cancelled = 您在 { $slot } 的回电预约已取消。
cb-card = 📞 <b>回电预约 #{ $id }</b>
    业主：{ $name }（{ $units }）
    电话：{ $phone }
    事项：{ $topic }
    说明：{ $note }
    时间：<b>{ $slot }</b>
cb-card-cancelled = 📞 回电预约 #{ $id }（{ $name }，{ $slot }）<b>已被业主取消</b>。
cb-btn-done = ✅ 已回电
cb-btn-missed = 📵 未接通
cb-status-booked = 已预约
cb-status-done = 已回电
cb-status-missed = 未接通
cb-status-cancelled = 已取消
cb-owner-missed = 📵 我们按预约（{ $slot }）给您回电，但未能接通。如需另约时间，请点“📞 预约回电”。
cb-staff-too-early = 业主预约的回电时间是 { $slot }，请在该时段内拨打未接通后再标记“未接通”。
cb-staff-already = 该回电预约的状态已是“{ $status }”。
cb-staff-done = ✅ 已由 { $staff } 回电。
cb-staff-missed = 📵 未接通（由 { $staff } 标记）。
cb-staff-usage = 用法：/callbacks [today|week]
cb-staff-none-today = 今天没有回电预约。
cb-staff-none-week = 未来一周没有回电预约。
cb-staff-title-today = 📞 <b>今天的回电预约（{ $count } 个）：</b>
cb-staff-title-week = 📞 <b>本周的回电预约（{ $count } 个）：</b>
cb-staff-line = #{ $id } { $slot } — { $name }（{ $units }）{ $phone } — { $topic }
cb-staff-more = …另有 { $count } 个。
