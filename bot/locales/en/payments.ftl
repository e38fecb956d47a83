## Staff: /paid, /unpay, /arrears, /import, /payinfo

pay-help = <b>Payments</b> (cashier, manager)
    /paid BUILDING-UNIT AMOUNT [reference] — record a payment (oldest charges first; add --charge ID for one charge), then Confirm
    /unpay PAYMENT_ID|RECEIPT reason — reverse a payment (managers)
    /arrears [building] — who owes, largest first, with the collection rate
    /arrears export — the same as a spreadsheet
    /import — send a charges register (CSV or XLSX) with /import as its caption
    /payinfo [text|off] — payment instructions shown to owners (managers)
pay-not-cashier = Only a cashier or a manager can do this.
pay-not-manager = Only a manager can do this.
pay-usage-paid = Usage: /paid BUILDING-UNIT AMOUNT [reference], e.g. /paid 3-1201 1500 WeChat 0923. Add --charge ID to pay one charge.
pay-usage-unpay = Usage: /unpay PAYMENT_ID reason (or the receipt number instead of the id)
pay-amount-not-a-number = “{ $amount }” is not an amount. Write it like 1500 or 1500.50.
pay-amount-not-positive = The amount must be more than zero.
pay-amount-too-many-decimals = { $currency } amounts have { $count ->
    [0] no decimals
    [one] at most one decimal
   *[other] at most { $decimals } decimals
}: “{ $amount }” cannot be recorded.
pay-amount-too-large = { $amount } is far more than any fee; please check the amount.
pay-bad-charge = “{ $charge }” is not a charge number.
pay-refused-unknown-unit = There is no unit { $unit } in the register. Write it as BUILDING-UNIT, e.g. 3-1201.
pay-refused-unknown-charge = Unit { $unit } has no charge #{ $charge }.
pay-refused-nothing-owed = Unit { $unit } owes nothing{ $charge ->
    [none] {""}
   *[other] {" "}on charge #{ $charge }
}: there is nothing to record.
pay-refused-overpayment = That is more than is owed: unit { $unit } owes { $owed } in all. Nothing was recorded.
pay-refused-reference-too-long = The reference can be at most { $max } characters.
pay-refused-changed = The balance of this unit changed since the summary (another payment?). Nothing was recorded; please send /paid again.
pay-refused-stale = This summary is no longer valid. Please send /paid again.
pay-refused-already-confirmed = Already recorded as receipt { $receipt } by { $staff }.
pay-refused-already-cancelled = This payment was cancelled. Send /paid again to record it.
pay-refused-unknown-payment = There is no payment { $payment }.
pay-refused-already-reversed = Payment { $payment } is already reversed.
pay-refused-reason-missing = Please give a short reason (at most 200 characters): /unpay PAYMENT_ID reason
pay-refused-not-allowed = Only managers and accountants may record payments.
pay-refused-not-positive = The amount must be more than zero. Nothing was recorded.
pay-summary = 💰 <b>Payment for { $unit }</b>{ $owners }
    Amount: <b>{ $amount }</b>{ $reference }
    It settles:
pay-summary-owners = {" "}({ $names })
pay-summary-reference = , reference { $reference }
pay-summary-line = • #{ $charge } { $item } { $period }: { $part }{ $left }
pay-summary-left = {" "}(still owed { $left })
pay-summary-settled = {" "}(settled)
pay-summary-after = Owed before: { $before } → after: <b>{ $after }</b>
pay-summary-ask = Confirm?
pay-confirm = Confirm
pay-cancel = Cancel
pay-cancelled = ✖️ Cancelled by { $staff }; nothing was recorded.
pay-recorded = ✅ Recorded by { $staff }: receipt <b>{ $receipt }</b> (payment ids { $ids }). Still owed: { $owed }. The owner is told.
pay-reversed = ↩️ Reversed { $amount } of receipt { $receipt } (unit { $unit }) by { $staff }: { $reason }. Owed now: { $owed }. The owner is told.
pay-payinfo-none = No payment instructions are set. A manager can set them with /payinfo TEXT.
pay-payinfo-current = Payment instructions shown to owners:
    { $text }
pay-payinfo-set = Saved. Owners now see these payment instructions under “My fees”.
pay-payinfo-cleared = Payment instructions removed.
pay-payinfo-too-long = Payment instructions can be at most { $max } characters.

## /arrears

pay-arrears-title = 📋 <b>Arrears on { $date }</b>{ $building }
pay-arrears-building = {" "}· building { $building }
pay-arrears-none = Nobody is overdue. 🎉
pay-arrears-line = { $rank }. { $unit } { $owners } — <b>{ $overdue }</b> overdue, { $days ->
    [one] 1 day
   *[other] { $days } days
}{ $owed }
pay-arrears-owed = {" "}(owed in all { $owed })
pay-arrears-more = …and { $count } more units (in the export: /arrears export)
pay-arrears-total = Overdue in all: <b>{ $total }</b> from { $count ->
    [one] one unit
   *[other] { $count } units
}
pay-arrears-rate = Collection rate (paid ÷ billed for charges due in the month): { $month } <b>{ $rate }</b> ({ $paid } of { $billed }){ $below }
pay-arrears-rate-none = Collection rate { $month }: nothing has fallen due so far
pay-arrears-below = {" "}⚠️ below the { $target } % target
pay-export-caption = Arrears on { $date }: { $count ->
    [one] one unit
   *[other] { $count } units
} with open charges.
pay-export-none = No unit has open charges; there is nothing to export.

## /import

pay-import-usage = Send the charges register (CSV or XLSX, columns building,unit,item,period,amount,due_date) with /import as the caption, or reply /import to the file.
pay-import-bad-file = This is not a CSV or XLSX file (or it is larger than { $max } MB).
pay-import-encoding = The file could not be read: it is not UTF-8 or GBK text. Save it as "CSV UTF-8" or as XLSX and send it again.
pay-import-unreadable = The file could not be read: { $error }
pay-import-done = ✅ Charges imported: { $created } new, { $updated } corrected, { $unchanged } unchanged.
pay-import-rejected = ❌ Nothing was imported; { $count ->
    [one] one problem
   *[other] { $count } problems
} (line numbers count the header as line 1):
pay-import-more = …and { $count } more

## Owners

pay-owner-received = ✅ <b>Payment received</b> for building { $building }, unit { $unit }: { $amount }{ $reference }
    { $lines }
    Still owed: <b>{ $owed }</b>. Thank you!
pay-owner-line = • { $item } { $period }: { $part }
pay-owner-reversed = ↩️ <b>A payment was reversed</b> for building { $building }, unit { $unit }: { $amount } (receipt { $receipt }).
    Reason: { $reason }
    Owed now: <b>{ $owed }</b>. Questions? Use “📞 Book a call-back”.
pay-receipt-button = 🧾 Receipt { $receipt }
pay-receipt-caption = Receipt { $receipt }
pay-receipt-gone = This receipt is not one of yours.
pay-receipt-wait = Making your receipt…

## The PDF receipt

receipt-title = Payment receipt
receipt-number = Receipt number
receipt-estate = Estate
receipt-unit = Unit
receipt-unit-value = Building { $building }, unit { $unit }
receipt-payer = Payer
receipt-date = Date paid
receipt-reference = Reference
receipt-recorded-by = Recorded by
receipt-item = Item
receipt-period = Period
receipt-charge = Charge
receipt-paid = Paid
receipt-total = Total paid
receipt-reversed = REVERSED
receipt-reversed-note = Reversed on { $date }: { $reason }. This payment no longer counts.
receipt-line-reversed = (reversed)
receipt-footer = Issued by { $estate } through Frontdoor. Keep this receipt for your records.

## My fees

fees-payments-title = Payments:
fees-payment-line = 🧾 { $receipt } · { $date } · { $amount }
fees-payment-line-reversed = ↩️ <s>{ $receipt } · { $date } · { $amount }</s> reversed { $reversed }
fees-payinfo = 💳 <b>How to pay</b>
    { $text }

## The arrears workbook

pay-xlsx-building = Building
pay-xlsx-unit = Unit
pay-xlsx-owner = Owner
pay-xlsx-phone = Phone
pay-xlsx-owed = Owed in all
pay-xlsx-overdue = Overdue
pay-xlsx-days = Days overdue

## The group's command menu

cli-cmd-paid = Record a payment
cli-cmd-unpay = Reverse a payment
cli-cmd-arrears = Who owes, and the collection rate
cli-cmd-import = Import a charges register (attach the file)
cli-cmd-payinfo = Payment instructions for owners
