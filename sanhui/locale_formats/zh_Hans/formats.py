"""Date formats for Chinese where Django's differ from how the portal's users write dates: a
month and day without a leading zero (5月10日, not 05月10日). Other formats are Django's own."""

MONTH_DAY_FORMAT = "n月j日"
