#!/bin/sh
# Fetch the guest's building blocks from Debian trixie (riscv64): the kernel
# (linux-image-riscv64 and the versioned package it depends on) and
# busybox-static. apt-get runs with a private configuration under the cache
# directory, so the machine's own apt state is neither read for packages nor
# changed. The mirror is the machine's own Debian mirror, read from its apt
# sources; set DEJA_DEBIAN_MIRROR to override it.
#
# Result: $CACHE/debs/*.deb, extracted under $CACHE/rootfs-kernel and
# $CACHE/rootfs-busybox, where CACHE = ${XDG_CACHE_HOME:-~/.cache}/deja.
# Safe to run again: steps whose output exists are skipped; --refresh reads
# the package lists again and downloads the packages anew.
# Environment: DEJA_DEBIAN_MIRROR (archive URI), DEJA_DEBIAN_KEYRING (keyring
# that signs the suite, default Debian's archive keyring).
set -eu

suite=trixie
arch=riscv64
apt_etc="${DEJA_APT_ETC:-/etc/apt}" # the machine's apt configuration (read only)
keyring="${DEJA_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/deja"
apt_root="$cache/apt"
debs="$cache/debs"

say() { echo "fetch-debian: $*"; }
die() { echo "fetch-debian: error: $*" >&2; exit 1; }

# Prints the first URI of the main Debian archive found in the machine's apt
# sources (deb822 files first, then one-line sources.list files). Security and
# non-Debian archives are skipped: an entry counts when it uses the Debian
# archive keyring or a plain release suite with the main component.
find_debian_mirror() {
    for file in "$apt_etc"/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        # deb822: paragraphs separated by blank lines; fields URIs, Suites, Components.
        awk '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && uris != "" && components ~ /(^| )main( |$)/ &&
                    enabled !~ /no/ &&
                    suites !~ /-security/ && uris !~ /security/ &&
                    (signed ~ /debian-archive-keyring/ || suites ~ /^[a-z]+( |$)/)) {
                    split(uris, list, " "); print list[1]; found = 1; exit
                }
                types = uris = suites = components = signed = enabled = ""
            }
            /^[ \t]*$/ { flush(); next }
            /^#/ { next }
            tolower($1) == "types:" { $1 = ""; types = $0 }
            tolower($1) == "uris:" { $1 = ""; sub(/^ +/, ""); uris = $0 }
            tolower($1) == "suites:" { $1 = ""; sub(/^ +/, ""); suites = $0 }
            tolower($1) == "components:" { $1 = ""; components = $0 }
            tolower($1) == "signed-by:" { $1 = ""; signed = $0 }
            tolower($1) == "enabled:" { $1 = ""; enabled = tolower($0) }
            END { if (!found) flush() }
        ' "$file"
    done
    for file in "$apt_etc"/sources.list "$apt_etc"/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        # one-line format: deb [options] URI suite component...
        awk '
            $1 != "deb" { next }
            {
                i = 2
                if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                uri = $i; suite = $(i + 1)
                main = 0
                for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
                if (main && suite !~ /-security/ && uri !~ /security/ &&
                    (uri ~ /debian\/?$/ || $0 ~ /debian-archive-keyring/)) { print uri; exit }
            }
        ' "$file"
    done
}

refresh=0
case "${1:-}" in
--refresh) refresh=1 ;;
"") ;;
*) echo "usage: guest/fetch-debian.sh [--refresh]" >&2; exit 2 ;;
esac

mirror="${DEJA_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
    mirror=$(find_debian_mirror | head -n 1)
fi
[ -n "$mirror" ] || die "no Debian archive found in /etc/apt/sources.list{,.d}; set DEJA_DEBIAN_MIRROR=URI"
[ -r "$keyring" ] || die "$keyring is missing: install the debian-archive-keyring package"

mkdir -p "$apt_root/etc/apt.conf.d" "$apt_root/etc/preferences.d" \
    "$apt_root/etc/sources.list.d" "$apt_root/etc/trusted.gpg.d" \
    "$apt_root/state/lists/partial" "$apt_root/cache/archives/partial" "$debs"
: >"$apt_root/state/status"
echo "deb [arch=$arch signed-by=$keyring] $mirror $suite main" >"$apt_root/etc/sources.list"

# Root runs apt's downloads as root: the private directories belong to root and
# the _apt sandbox user could not write them.
sandbox_user=$(id -un)
cat >"$apt_root/apt.conf" <<CONF
Dir::Etc "$apt_root/etc";
Dir::Etc::SourceList "$apt_root/etc/sources.list";
Dir::Etc::SourceParts "$apt_root/etc/sources.list.d";
Dir::Etc::Preferences "$apt_root/etc/preferences";
Dir::Etc::PreferencesParts "$apt_root/etc/preferences.d";
Dir::Etc::Trusted "$apt_root/etc/trusted.gpg";
Dir::Etc::TrustedParts "$apt_root/etc/trusted.gpg.d";
Dir::State "$apt_root/state";
Dir::State::status "$apt_root/state/status";
Dir::Cache "$apt_root/cache";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
APT::Sandbox::User "$sandbox_user";
Acquire::Languages "none";
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
Debug::NoLocking "true";
CONF

private_apt() {
    command="$1"
    shift
    APT_CONFIG="$apt_root/apt.conf" "$command" -o "Dir::Etc=$apt_root/etc" \
        -o "Dir::State=$apt_root/state" -o "Dir::Cache=$apt_root/cache" \
        -o "APT::Architecture=$arch" "$@"
}

lists_stamp="$apt_root/state/lists.stamp"
if [ "$refresh" = 1 ]; then
    rm -f "$lists_stamp" "$debs"/*.deb
fi
if [ ! -f "$lists_stamp" ]; then
    say "reading package lists of $suite/$arch from $mirror"
    if ! private_apt apt-get -q update >"$apt_root/update.log" 2>&1; then
        cat "$apt_root/update.log" >&2
        if grep -q -e NO_PUBKEY -e "not signed" -e "signature" "$apt_root/update.log"; then
            die "the $suite Release file could not be verified with $keyring; the keyring may be too old for $suite: update debian-archive-keyring"
        fi
        die "apt-get update of the private $suite sources failed (see above)"
    fi
    if grep -q -e "^W:.*\(NO_PUBKEY\|not signed\|GPG error\)" -e "^E:" "$apt_root/update.log"; then
        cat "$apt_root/update.log" >&2
        die "the $suite archive signature could not be verified with $keyring"
    fi
    touch "$lists_stamp"
fi

# linux-image-riscv64 is a meta package: its first dependency names the
# versioned image package (linux-image-<version>-riscv64) that holds the files.
kernel_package=$(private_apt apt-cache depends linux-image-riscv64 |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
[ -n "$kernel_package" ] || die "cannot resolve linux-image-riscv64 to a versioned kernel package"
say "kernel package: $kernel_package"

for package in linux-image-riscv64 "$kernel_package" busybox-static; do
    if ls "$debs/${package}_"*.deb >/dev/null 2>&1; then
        continue
    fi
    say "downloading $package"
    # Into a scratch directory first, so an interrupted download never leaves
    # a truncated .deb that a later run would take as done.
    rm -rf "$debs/partial"
    mkdir -p "$debs/partial"
    (cd "$debs/partial" && private_apt apt-get -q download "$package:$arch") ||
        die "download of $package failed"
    mv "$debs/partial/"*.deb "$debs/"
    rm -rf "$debs/partial"
done

extract() { # package destination
    deb=$(ls "$debs/${1}_"*.deb | sort | tail -n 1)
    if [ ! -f "$2/.extracted" ] || [ "$(cat "$2/.extracted")" != "$(basename "$deb")" ]; then
        say "extracting $(basename "$deb")"
        rm -rf "$2"
        mkdir -p "$2"
        dpkg-deb -x "$deb" "$2"
        basename "$deb" >"$2/.extracted"
    fi
}
extract "$kernel_package" "$cache/rootfs-kernel"
extract busybox-static "$cache/rootfs-busybox"
echo "$kernel_package" >"$cache/kernel-package"
say "done: packages in $debs"
