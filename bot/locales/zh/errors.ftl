error-unexpected = 抱歉，系统出了点问题，已通知物业服务中心，请过几分钟再试。
error-alert = ⚠️ 机器人遇到意外错误：{ $kind }，位置 { $where }（更新 { $update }）。详情见日志。同一错误一小时内不再重复提醒。
