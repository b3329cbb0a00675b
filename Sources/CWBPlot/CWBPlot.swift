// CWBPlot: see ../../README.md for what lands here.
