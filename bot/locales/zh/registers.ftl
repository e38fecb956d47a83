## 业主名册或收费清单中发现的问题（frontdoor import、/import）
register-line = 第 { $line } 行：{ $problem }
register-file-empty = 文件为空（第一行应为表头）
register-missing-column = 缺少列“{ $column }”
register-no-rows = 文件只有表头，没有数据行
register-empty = { $column } 为空
register-too-long = { $column } 超过 { $limit } 个字符
register-phone-invalid = 电话“{ $value }”不是有效号码
register-area-invalid = area_m2“{ $value }”不是正数
register-language-invalid = language“{ $value }”只能是 en 或 zh
register-phone-other-name = 电话 { $phone } 在第 { $other } 行对应另一个姓名
register-link-repeats = 房屋 { $unit } 与此电话的组合与第 { $other } 行重复
register-area-conflict = 房屋 { $unit } 在第 { $other } 行的 area_m2 为 { $area }
register-period-invalid = 账期“{ $value }”应形如 2026-11
register-amount-invalid = 金额“{ $value }”应为正数{ $count ->
    [0] 且不带小数
   *[other]，最多 { $count } 位小数
}
register-due-invalid = 到期日“{ $value }”应为日期，形如 2026-11-30
register-charge-repeats = 房屋 { $unit } 的 { $item } { $period } 与第 { $other } 行重复
register-unit-unknown = 房屋 { $unit } 不在名册中（请先导入业主）
register-charge-paid = { $unit } { $item } { $period } 已有 { $paid } 的缴费记录：金额 { $amount } 不能修改
