#!/usr/bin/env bash
# Installs trainq as a systemd service: release binaries, units, the sysusers.d/tmpfiles.d files, man pages,
# shell completion, the example configuration (never over an existing one) and the README.
#
#   scripts/install.sh [--dry-run] [--bin-dir DIR] [--prefix /usr/local] [--no-man]
#
#   --dry-run      print every step, change nothing
#   --bin-dir DIR  install the binaries found in DIR instead of building a release
#   --prefix P     where binaries and docs go (default /usr/local; the unit's ExecStart= follows it)
#   --no-man       skip the man pages (they need `swift package`, which waits while another SwiftPM runs)
#   DESTDIR=/stage stage everything below /stage (packaging): the user and group are then created in
#                  /stage/etc/passwd and /stage/etc/group, and systemd is not told.
set -euo pipefail
cd "$(dirname "$0")/.."

dry_run=0
no_man=0
bin_dir=""
prefix=/usr/local
while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) dry_run=1 ;;
        --bin-dir) bin_dir="${2:?--bin-dir needs a directory}"; shift ;;
        --prefix) prefix="${2:?--prefix needs a directory}"; shift ;;
        --no-man) no_man=1 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
destdir="${DESTDIR:-}"
unit_dir=/etc/systemd/system

run() {
    if [ "$dry_run" = 1 ]; then
        printf '+ %s\n' "$*"
    else
        "$@"
    fi
}

# 1. Binaries: a release build unless --bin-dir names ready ones.
man_configuration=debug
if [ -z "$bin_dir" ]; then
    man_configuration=release
    run swift build -c release --product trainqd
    run swift build -c release --product trainq
    run swift build -c release --product modelarts-sim
    if [ "$dry_run" = 1 ]; then
        bin_dir=.build/release
    else
        bin_dir="$(swift build -c release --show-bin-path)"
    fi
fi
for binary in trainqd trainq modelarts-sim; do
    if [ "$dry_run" = 0 ] && [ ! -x "$bin_dir/$binary" ]; then
        echo "install.sh: $bin_dir/$binary is missing; build first or pass --bin-dir" >&2
        exit 1
    fi
done
run install -d -m 0755 "$destdir$prefix/bin"
for binary in trainqd trainq modelarts-sim; do
    run install -m 0755 "$bin_dir/$binary" "$destdir$prefix/bin/$binary"
done

# 2. Units, with ExecStart= and Documentation= pointing at this prefix.
run install -d -m 0755 "$destdir$unit_dir"
run install -m 0644 systemd/trainqd.socket "$destdir$unit_dir/trainqd.socket"
if [ "$dry_run" = 1 ]; then
    printf '+ %s\n' "sed 's|/usr/local/|$prefix/|g' systemd/trainqd.service > $destdir$unit_dir/trainqd.service"
else
    sed "s|/usr/local/|$prefix/|g" systemd/trainqd.service > "$destdir$unit_dir/trainqd.service"
    chmod 0644 "$destdir$unit_dir/trainqd.service"
fi

# 3. The user and group, and the configuration directories.
run install -d -m 0755 "$destdir/etc/sysusers.d" "$destdir/etc/tmpfiles.d"
run install -m 0644 systemd/trainq.sysusers.conf "$destdir/etc/sysusers.d/trainq.conf"
run install -m 0644 systemd/trainq.tmpfiles.conf "$destdir/etc/tmpfiles.d/trainq.conf"
if [ -n "$destdir" ]; then
    run systemd-sysusers --root="$destdir" "$destdir/etc/sysusers.d/trainq.conf"
    run systemd-tmpfiles --root="$destdir" --create "$destdir/etc/tmpfiles.d/trainq.conf"
else
    run systemd-sysusers /etc/sysusers.d/trainq.conf
    run systemd-tmpfiles --create /etc/tmpfiles.d/trainq.conf
fi

# 4. The example configuration: never over one that exists.
run install -d -m 0755 "$destdir/etc/trainq"
if [ -e "$destdir/etc/trainq/trainqd.yaml" ]; then
    echo "install.sh: keeping $destdir/etc/trainq/trainqd.yaml; the new example is trainqd.yaml.example"
    run install -m 0644 config/trainqd.yaml "$destdir/etc/trainq/trainqd.yaml.example"
else
    run install -m 0644 config/trainqd.yaml "$destdir/etc/trainq/trainqd.yaml"
fi

# 5. Documentation: README and DESIGN, the man pages trainq(1) and trainqd(8), and shell completion.
run install -d -m 0755 "$destdir$prefix/share/doc/trainq"
run install -m 0644 README.md DESIGN.md "$destdir$prefix/share/doc/trainq/"
run install -d -m 0755 "$destdir$prefix/share/man/man1" "$destdir$prefix/share/man/man8" \
    "$destdir$prefix/share/bash-completion/completions" "$destdir$prefix/share/zsh/site-functions" \
    "$destdir$prefix/share/fish/vendor_completions.d"
if [ "$dry_run" = 1 ]; then
    printf '+ %s\n' "scripts/generate-man (trainq.1, trainqd.8) into $destdir$prefix/share/man" \
        "trainq completion bash|zsh|fish into $destdir$prefix/share/{bash-completion,zsh,fish}"
else
    if [ "$no_man" = 0 ]; then
        man_dir="$(mktemp -d)"
        # The release build just made serves the plugin as well; with --bin-dir, the debug build.
        scripts/generate-man "$man_dir" --configuration "$man_configuration" >/dev/null
        install -m 0644 "$man_dir/trainq.1" "$destdir$prefix/share/man/man1/trainq.1"
        install -m 0644 "$man_dir/trainqd.8" "$destdir$prefix/share/man/man8/trainqd.8"
        rm -rf "$man_dir"
    fi
    "$bin_dir/trainq" completion bash >"$destdir$prefix/share/bash-completion/completions/trainq"
    "$bin_dir/trainq" completion zsh >"$destdir$prefix/share/zsh/site-functions/_trainq"
    "$bin_dir/trainq" completion fish >"$destdir$prefix/share/fish/vendor_completions.d/trainq.fish"
    chmod 0644 "$destdir$prefix/share/bash-completion/completions/trainq" \
        "$destdir$prefix/share/zsh/site-functions/_trainq" "$destdir$prefix/share/fish/vendor_completions.d/trainq.fish"
fi

# 6. Tell systemd (not when staging).
if [ -z "$destdir" ]; then
    if [ -d /run/systemd/system ]; then
        run systemctl daemon-reload
    else
        echo "install.sh: systemd is not running here; run 'systemctl daemon-reload' where it is"
    fi
fi

if [ "$dry_run" = 1 ]; then
    echo "install.sh: dry run, nothing was changed"
    exit 0
fi
cat <<EOF
install.sh: installed. Next:
  1. Set modelarts.endpoint and modelarts.project_id in /etc/trainq/trainqd.yaml.
  2. Put the keys in /etc/trainq/credentials/modelarts-ak and modelarts-sk (mode 0600, root).
  3. trainqd --config /etc/trainq/trainqd.yaml --check-config
  4. systemctl enable --now trainqd.socket   (trainqd starts on the first connection)
  5. Add users to the group trainq: usermod -aG trainq alice
EOF
