"""The scheduler worker: a loop over the jobs the features register."""
