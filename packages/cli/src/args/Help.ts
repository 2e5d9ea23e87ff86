/** The usage text: kept in one place so `--help` needs no other module. */
export const usage = `switchyard — switch a system between generations, and roll back, in one previewable step

Usage:
  switchyard list [PATTERN] [--json]
  switchyard describe [--json]
  switchyard add SYSTEM_DIR
  switchyard plan OPERATION [--mode switch|boot|test|try] [--try N] [--json] [--out FILE]
  switchyard apply OPERATION [--mode switch|boot|test|try] [--try N] [--yes]
  switchyard apply --plan FILE [--yes]
  switchyard recover [--json]            finish or revert an interrupted apply
  switchyard status [--json]             generations and every service: up/down, revision, current?
  switchyard supervisor start|stop|status  run switchyard's own s6-svscan on the scan directory
  switchyard bless [--bad]               keep the generation booted on trial as the boot default
                                         (--bad: give up on it; the next boot falls back)
  switchyard pin N | unpin N             protect generation N from every delete (unpin: undo it)

Operations:
  switch SPEC        SPEC is N (a generation), +K or -K (K generations newer/older)
  rollback           the highest generation below the current one
  delete [PATTERN]   remove generation links (default 'old': all but the current one)

Patterns:
  N   N,M,...   N..M   N..   ..M   Ns|Nh|Nd|Nw|Nm (m = 30 days)   +N (delete: keep N)   old

Options:
  --root DIR               the managed root (default /)
  --profile PATH           the system profile (default /var/lib/switchyard/profiles/system)
  --layout nix|guix        use that system's profile (/nix/var/nix/profiles/system,
                           /var/guix/profiles/system)
  --bootloader grub|systemd-boot|none   write /boot/grub/grub.cfg, or Boot Loader Specification
                           entries and loader.conf on the ESP, or nothing (default grub)
  --esp DIR                systemd-boot's EFI system partition inside the root (default /boot)
  --service-manager none|s6   how services are observed and driven (default none)
  --scan-directory DIR     the s6 scan directory switchyard owns (default /run/switchyard/services)
  --service-timeout S      seconds a service may take to come up or go down (default 5)
  --service-settle-ms MS   how long a started service must stay up to count as started (default 300)
  --services live|conservative   how changed running services are treated (default live)
  --mode switch|boot|test|try  switch: activate now and at boot; boot: at next boot only; test: now
                           only; try: boot it next on trial, falling back unless 'bless' runs on it
  --try N                  a trial of N boot attempts (1-9, default 1); implies --mode try
  --activation-timeout S   seconds an activation script may run (default 300)
  --wait-lock S            wait up to S seconds for another apply to finish (default 0)
  --json                   one JSON document on standard output
  --yes, -y                do not ask for confirmation
  --debug                  show internal details of errors

Exit codes: 0 success, 1 failed or nothing matched, 2 invalid input or usage, 3 stale plan, 4 locked,
5 an interrupted apply must be recovered first.
`;
