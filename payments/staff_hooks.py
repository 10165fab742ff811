"""The agency's payment actions in the back office (issuing fee notices,
refunds); their admin hooks are registered here, imported by
`payments.wagtail_hooks`."""
