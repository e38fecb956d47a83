## Problems found in an owners or charges register (frontdoor import, /import)
register-line = line { $line }: { $problem }
register-file-empty = the file is empty (expected a header row)
register-missing-column = missing column "{ $column }"
register-no-rows = the file has a header but no rows
register-empty = { $column } is empty
register-too-long = { $column } is longer than { $limit } characters
register-phone-invalid = phone "{ $value }" is not a valid number
register-area-invalid = area_m2 "{ $value }" is not a positive number
register-language-invalid = language "{ $value }" must be en or zh
register-phone-other-name = phone { $phone } is on line { $other } with another name
register-link-repeats = unit { $unit } with this phone repeats line { $other }
register-area-conflict = unit { $unit } has area_m2 { $area } on line { $other }
register-period-invalid = period "{ $value }" must look like 2026-11
register-amount-invalid = amount "{ $value }" must be a positive number { $count ->
    [0] without decimals
    [1] with at most 1 decimal
   *[other] with at most { $count } decimals
}
register-due-invalid = due_date "{ $value }" must be a date like 2026-11-30
register-charge-repeats = unit { $unit }, { $item } { $period } repeats line { $other }
register-unit-unknown = unit { $unit } is not in the register (import owners first)
register-charge-paid = { $unit } { $item } { $period } already has payments of { $paid }: its amount { $amount } cannot change
