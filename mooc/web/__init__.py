"""Web plumbing shared by every blueprint: errors, security headers, auth guards, i18n, filters."""
