"""The card photo and every uploaded file.

What other code calls:

- ``check.check_photo(data, *, region=None) -> PhotoReport`` — every failed rule with a Chinese
  message and the measured value; ``PhotoReport.as_dict()/from_dict()`` for JSON.
- ``fix.fix_photo(data, *, region=None, checked=None) -> FixResult`` — crop, scale and
  re-encode to the spec, or the reason it cannot be done (``checked``: the check of ``data``
  already made, not made again).
- ``spec.checked_under(region) -> str`` — the rules a verdict was given under; a verdict kept
  with a photo (a portal draft's) is trusted only while they are the same.
- ``verdict.examine_photo(upload, *, region=None) -> PhotoVerdict`` — harden + check + fix in
  one call, never raising for a bad photo (the upload preview; the service that stores it).
- ``uploads.harden_image / harden_document(upload, *, max_bytes, field)`` — type by content,
  size cap, pixel limit, EXIF orientation applied, metadata stripped; ``DomainError(field=…)``.
  ``uploads.validate_photo_upload / validate_document_upload`` for form fields.
- Template partial ``photos/_report.html`` (context: ``PhotoVerdict.context()`` or ``report``).
"""
