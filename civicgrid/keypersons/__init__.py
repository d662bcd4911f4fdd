"""Key persons under three-colour management (重点人员 三色管理): narrow access, audited reads."""
