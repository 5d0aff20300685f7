"""`make bench`: Roomkey against its peers under wrk, as issue 5 asks."""
