"""The inbox: the dossiers a staff member may see (backoffice.scope), in a
Wagtail admin listing with filters, folded search, counts per status,
export and bulk assignment."""
