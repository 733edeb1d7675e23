"""Outliers among posted data values: min–max bounds and the modified z-score checks."""
