/**
 * Documents shaped exactly like the ones NixOS and Guix write into their system directories: a
 * bootspec v1 `boot.json` (nixpkgs nixos/modules/system/activation/bootspec.nix, with the
 * systemd-boot extension) and a Guix `parameters` file (gnu/system.scm
 * `operating-system-boot-parameters-file`, printed by `write`, so on one line).
 */
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";

export const TOPLEVEL = "/nix/store/8k0jnd3kkgn1gdhx6dd4zl7mrr9wh3xv-nixos-system-nixos-24.05.20240610.abcdef0";
export const bootspec = (toplevel = TOPLEVEL, extra: Record<string, unknown> = {}) =>
  JSON.stringify(
    {
      "org.nixos.bootspec.v1": {
        init: `${toplevel}/init`,
        initrd: "/nix/store/7n0cg4jpb2dcn7hw2pskwqg2r2jy0n6g-initrd-linux-6.6.32/initrd",
        initrdSecrets: "/nix/store/2ygd1x6jxrdxw4r3g3hl6d9ajvb8b4gn-append-initrd-secrets/bin/append-initrd-secrets",
        kernel: "/nix/store/1c4hz6pqx8z7fmi6ps5z2yp8b1jnq1lh-linux-6.6.32/bzImage",
        kernelParams: ["loglevel=4", "net.ifnames=0"],
        label: "NixOS 24.05.20240610.abcdef0 (Linux 6.6.32)",
        system: "x86_64-linux",
        toplevel,
      },
      "org.nixos.specialisation.v1": {},
      "org.nixos.systemd-boot": { sortKey: "nixos" },
      ...extra,
    },
    null,
    2,
  );

export const SYSTEM = InRootPath.unsafe("/gnu/store/w2cbg9lh4c5dqbysmdwk0ryvmybnpfcz-system");
const UUID = "#vu8(18 52 86 120 154 188 222 240 17 34 51 68 85 102 119 136)";
export const parameters = (version = 0, root = `(uuid ext4 ${UUID})`, initrd = `(initrd "/gnu/store/0kpz1s2q5w6kc8c0b0r1m0gk0dxrq3ni-combined-initrd/initrd.cpio.gz")`) =>
  `(boot-parameters (version ${version}) (label "GNU with Linux-Libre 6.8.9") (root-device ${root}) (kernel "/gnu/store/9xx0nlbyq7ihsnbnhhgp5gjrd2bxv0x7-linux-libre-6.8.9/bzImage") (kernel-arguments ("quiet" "loglevel=3")) ${initrd} (bootloader-name grub-efi) (bootloader-menu-entries ()) (locale "en_US.utf8") (store (device (uuid ext4 ${UUID})) (mount-point "/") (directory-prefix #f) (crypto-devices ())))\n`;
