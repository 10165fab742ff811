"""The embed kit: a small read-only card of a procedure that agencies frame
on their own sites (`/embed/p/<code>/`), the per-agency list of sites
allowed to frame it, and the admin's builder of the code to paste.

- `origins`: checking and normalising the allowed origins and the `src`
  parameter that records which site sent an applicant;
- `views`: the card, framable only by the origins on its agency's list;
- `builder`: the admin screen that writes the `<iframe>` and link code;
- `admin`: the admin's list of allowed sites.
"""
