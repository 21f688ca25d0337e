"""`/partner usage`: a month's usage statement as a CSV by direct message."""
