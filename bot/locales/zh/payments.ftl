## Staff: /paid, /unpay, /arrears, /import, /payinfo

pay-help = <b>收费</b>（收费员、主管）
    /paid 楼栋-房号 金额 [备注] — 登记缴费（先冲最早的欠费；加 --charge 编号 只缴一笔），再点“确认”
    /unpay 缴费编号|收据号 原因 — 冲正一笔缴费（主管）
    /arrears [楼栋] — 欠费户，金额从大到小，并附收缴率
    /arrears export — 导出为表格
    /import — 发送收费台账（CSV 或 XLSX），标题写 /import
    /payinfo [内容|off] — 业主看到的缴费方式（主管）
pay-not-cashier = 只有收费员或主管可以操作。
pay-not-manager = 只有主管可以操作。
pay-usage-paid = 用法：/paid 楼栋-房号 金额 [备注]，例如 /paid 3-1201 1500 微信 0923。加 --charge 编号 只缴某一笔费用。
pay-usage-unpay = 用法：/unpay 缴费编号 原因（也可以用收据号代替编号）
pay-amount-not-a-number = “{ $amount }”不是金额，请写成 1500 或 1500.50。
pay-amount-not-positive = 金额必须大于零。
pay-amount-too-many-decimals = { $currency } 金额{ $count ->
    [0] 不能有小数
   *[other] 最多 { $decimals } 位小数
}：“{ $amount }”无法登记。
pay-amount-too-large = { $amount } 远超任何费用，请核对金额。
pay-bad-charge = “{ $charge }”不是费用编号。
pay-refused-unknown-unit = 台账中没有 { $unit }。请写成 楼栋-房号，例如 3-1201。
pay-refused-unknown-charge = { $unit } 没有编号为 #{ $charge } 的费用。
pay-refused-nothing-owed = { $unit }{ $charge ->
    [none] {""}
   *[other] 的费用 #{ $charge }
}没有欠费，无需登记。
pay-refused-overpayment = 金额超过欠费：{ $unit } 共欠 { $owed }。未登记任何缴费。
pay-refused-reference-too-long = 备注最多 { $max } 个字符。
pay-refused-changed = 自显示汇总后该房屋的欠费已有变化（可能已有他人登记）。未登记，请重新发送 /paid。
pay-refused-stale = 此汇总已失效，请重新发送 /paid。
pay-refused-already-confirmed = 已由 { $staff } 登记，收据号 { $receipt }。
pay-refused-already-cancelled = 此笔缴费已取消。如需登记请重新发送 /paid。
pay-refused-unknown-payment = 没有缴费 { $payment }。
pay-refused-already-reversed = 缴费 { $payment } 已冲正。
pay-refused-reason-missing = 请写明简短原因（最多 200 字）：/unpay 缴费编号 原因
pay-refused-not-allowed = 只有收费员或主管可以登记缴费。
pay-refused-not-positive = 金额必须大于零。未登记任何缴费。
pay-summary = 💰 <b>{ $unit } 缴费</b>{ $owners }
    金额：<b>{ $amount }</b>{ $reference }
    将冲抵：
pay-summary-owners = （{ $names }）
pay-summary-reference = ，备注 { $reference }
pay-summary-line = • #{ $charge } { $item } { $period }：{ $part }{ $left }
pay-summary-left = （仍欠 { $left }）
pay-summary-settled = （结清）
pay-summary-after = 缴费前欠 { $before } → 缴费后欠 <b>{ $after }</b>
pay-summary-ask = 确认登记？
pay-confirm = 确认
pay-cancel = 取消
pay-cancelled = ✖️ { $staff } 已取消，未登记。
pay-recorded = ✅ { $staff } 已登记：收据号 <b>{ $receipt }</b>（缴费编号 { $ids }）。仍欠：{ $owed }。已通知业主。
pay-reversed = ↩️ { $staff } 已冲正收据 { $receipt }（{ $unit }）的 { $amount }：{ $reason }。现欠：{ $owed }。已通知业主。
pay-payinfo-none = 尚未设置缴费方式。主管可用 /payinfo 内容 设置。
pay-payinfo-current = 业主看到的缴费方式：
    { $text }
pay-payinfo-set = 已保存。业主在“我的物业费”下可以看到缴费方式。
pay-payinfo-cleared = 已删除缴费方式。
pay-payinfo-too-long = 缴费方式最多 { $max } 个字符。

## /arrears

pay-arrears-title = 📋 <b>{ $date } 欠费</b>{ $building }
pay-arrears-building = {" "}· { $building }栋
pay-arrears-none = 没有逾期欠费。🎉
pay-arrears-line = { $rank }. { $unit } { $owners } — 逾期 <b>{ $overdue }</b>，{ $days } 天{ $owed }
pay-arrears-owed = （共欠 { $owed }）
pay-arrears-more = …另有 { $count } 户（见导出：/arrears export）
pay-arrears-total = 逾期合计：<b>{ $total }</b>，共 { $count } 户
pay-arrears-rate = 收缴率（当月到期费用的已缴 ÷ 应缴）：{ $month } <b>{ $rate }</b>（{ $billed } 中已缴 { $paid }）{ $below }
pay-arrears-rate-none = { $month } 收缴率：暂无到期费用
pay-arrears-below = {" "}⚠️ 低于 { $target }% 目标
pay-export-caption = { $date } 欠费：{ $count } 户有未缴费用。
pay-export-none = 没有未缴费用的房屋，无需导出。

## /import

pay-import-usage = 请发送收费台账（CSV 或 XLSX，列为 building,unit,item,period,amount,due_date），标题写 /import，或回复该文件 /import。
pay-import-bad-file = 这不是 CSV 或 XLSX 文件（或大于 { $max } MB）。
pay-import-encoding = 无法读取该文件：它不是 UTF-8 或 GBK 编码的文本。请另存为“CSV UTF-8”或 XLSX 后重新发送。
pay-import-unreadable = 无法读取文件：{ $error }
pay-import-done = ✅ 费用已导入：新增 { $created } 笔，更正 { $updated } 笔，未变 { $unchanged } 笔。
pay-import-rejected = ❌ 未导入任何数据；共 { $count } 个问题（行号从表头第 1 行算起）：
pay-import-more = …另有 { $count } 个

## Owners

pay-owner-received = ✅ <b>已收到缴费</b>：{ $building }栋 { $unit }室 { $amount }{ $reference }
    { $lines }
    仍欠：<b>{ $owed }</b>。感谢您的支持！
pay-owner-line = • { $item } { $period }：{ $part }
pay-owner-reversed = ↩️ <b>一笔缴费已冲正</b>：{ $building }栋 { $unit }室 { $amount }（收据 { $receipt }）。
    原因：{ $reason }
    现欠：<b>{ $owed }</b>。如有疑问，请点击“📞 预约回电”。
pay-receipt-button = 🧾 收据 { $receipt }
pay-receipt-caption = 收据 { $receipt }
pay-receipt-gone = 这不是您的收据。
pay-receipt-wait = 正在生成收据…

## The PDF receipt

receipt-title = 缴费收据
receipt-number = 收据号
receipt-estate = 小区
receipt-unit = 房屋
receipt-unit-value = { $building }栋 { $unit }室
receipt-payer = 缴款人
receipt-date = 缴费日期
receipt-reference = 备注
receipt-recorded-by = 经办人
receipt-item = 项目
receipt-period = 期间
receipt-charge = 应缴
receipt-paid = 实缴
receipt-total = 实缴合计
receipt-reversed = 已冲正
receipt-reversed-note = 已于 { $date } 冲正：{ $reason }。此笔缴费不再有效。
receipt-line-reversed = （已冲正）
receipt-footer = 由 { $estate } 通过 Frontdoor 开具。请妥善保存本收据。

## My fees

fees-payments-title = 缴费记录：
fees-payment-line = 🧾 { $receipt } · { $date } · { $amount }
fees-payment-line-reversed = ↩️ <s>{ $receipt } · { $date } · { $amount }</s> 已于 { $reversed } 冲正
fees-payinfo = 💳 <b>缴费方式</b>
    { $text }

## The arrears workbook

pay-xlsx-building = 楼栋
pay-xlsx-unit = 房号
pay-xlsx-owner = 业主
pay-xlsx-phone = 电话
pay-xlsx-owed = 欠费合计
pay-xlsx-overdue = 逾期金额
pay-xlsx-days = 逾期天数

## The group's command menu

cli-cmd-paid = 登记缴费
cli-cmd-unpay = 冲正缴费
cli-cmd-arrears = 欠费户与收缴率
cli-cmd-import = 导入收费台账（附文件）
cli-cmd-payinfo = 业主缴费方式
