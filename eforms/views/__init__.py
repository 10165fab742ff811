"""The e-forms app's pages, one module per audience: applying
(`apply`), the applicant's own dossiers (`my_dossiers`), the public look-up
(`lookup`) and dossier files (`files`). They route and render; the work is
in the service modules (`eforms.drafts`, `eforms.services`,
`eforms.lookup`, `eforms.lifecycle`, `eforms.uploads`)."""
