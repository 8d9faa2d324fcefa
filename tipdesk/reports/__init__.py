"""Reports: how the desk is doing over a period, as figures, tables and charts."""
