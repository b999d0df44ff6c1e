"""The party dues pages: overview and reports, the branch grid and batch payments, members, the import."""
