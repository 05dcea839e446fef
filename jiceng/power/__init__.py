"""Summer peak-load management (迎峰度夏): meters and 15-minute load, time-of-use tariffs as
data, one load-shifting plan per enterprise (一企一策) with its advice letter, and demand-
response events verified against baselines."""
