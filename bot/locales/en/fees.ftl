fees-title = 💳 <b>Your fees</b>
fees-no-units = We could not find any unit registered to you, so there are no fees to show. Please contact the management office if this is wrong.
fees-unit = 🏠 <b>Building { $building }, unit { $unit }</b>
fees-open-line = • { $item } { $period }: { $amount }, paid { $paid }, <b>owed { $balance }</b>, due { $due }
fees-open-line-overdue = ⚠️ { $item } { $period }: { $amount }, paid { $paid }, <b>owed { $balance }</b>, was due { $due } (overdue)
fees-more = { $count ->
    [one] …and one more open charge (included in the totals)
   *[other] …and { $count } more open charges (included in the totals)
}
fees-unit-owed = Owed for this unit: <b>{ $total }</b>
fees-unit-clear = ✅ Nothing owed for this unit.
fees-paid-title = Recently paid:
fees-paid-line = ✓ { $item } { $period }: { $amount }
fees-plus = {" + "}
fees-total = <b>Total outstanding: { $total }</b>
fees-overdue-note = ⚠️ Some charges are overdue. Please pay at the management office or by your usual method; ask us if anything looks wrong.
fees-all-clear = 🎉 You are all paid up — nothing is owed. Thank you!
fees-questions = Questions about a charge? Use “📞 Book a call-back” and we will call you.
fees-unit-none = No charges have been issued for this unit yet.
fees-none = There are no charges on record for you yet — nothing to pay. If you expected a bill, please ask the management office.
