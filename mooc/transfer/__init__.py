"""Credit transfer: partner universities trust issuers, define recognition rules, and decide."""
