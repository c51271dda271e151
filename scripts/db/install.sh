#!/usr/bin/env bash
# npm run db:install: the embedded database engine, FerretDB v2.5.0 in front of PostgreSQL 15 with DocumentDB
# (server/db/ferretdb.ts starts and stops it). Builds once into .data/engine/; a second run checks the stamp and ends.
#
# Sources of the three PostgreSQL extensions, first found wins:
#   $STORELINK_ENGINE_SOURCES (a folder with the tarballs), ../shared/vendor beside the project, else a download of
#   the same tags from their public repositories. Each tarball must match scripts/db/SHA256SUMS.
# FerretDB comes from the Go module proxy; PostgreSQL 15 and the other extensions from Debian 12 (apt).
# The extensions are installed into PostgreSQL's own library and extension folders (PostgreSQL 15 loads them only
# from there), so the system steps run as root, or through sudo.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ENGINE=${STORELINK_ENGINE_DIR:-$ROOT/.data/engine} # server/db/ferretdb.ts looks there too
SUMS=$ROOT/scripts/db/SHA256SUMS
PG_MAJOR=15
PGBIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=$PGBIN/pg_config
FERRETDB_VERSION=v2.5.0
GO_TOOLCHAIN=go1.24.6 # FerretDB v2.5.0 does not build with Go >= 1.25
RECIPE=1              # raise when this script changes what it builds
JOBS=${JOBS:-$(nproc)}

# tarball -> "owner/repository tag" of the public repository it is an archive of
declare -A ORIGIN=(
  [documentdb-v0.106.0-ferretdb-2.5.0.tar.gz]="FerretDB/documentdb v0.106.0-ferretdb-2.5.0"
  [pg_cron-v1.6.3.tar.gz]="citusdata/pg_cron v1.6.3"
  [pgvector-v0.8.0.tar.gz]="pgvector/pgvector v0.8.0"
)
PACKAGES=(
  postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR postgresql-$PG_MAJOR-postgis-3 postgresql-$PG_MAJOR-rum
  libbson-dev libpcre2-dev libintelrdfpmath-dev libicu-dev libkrb5-dev libpq-dev
  build-essential pkg-config ca-certificates curl unzip
)

log() { printf '[db:install %s] %s\n' "$(date +%T)" "$*"; }
die() { printf '[db:install] %s\n' "$*" >&2; exit 1; }

KEY="recipe=$RECIPE ferretdb=$FERRETDB_VERSION go=$GO_TOOLCHAIN pg=$PG_MAJOR sources=$(sha256sum <"$SUMS" | cut -c1-16)"
STAMP=$ENGINE/installed.json

installed() {
  [ -f "$STAMP" ] && grep -qF "\"key\": \"$KEY\"" "$STAMP" && [ -x "$ENGINE/bin/ferretdb" ] && [ -x "$PGBIN/postgres" ] &&
    [ -x "$PG_CONFIG" ] && [ -f "$("$PG_CONFIG" --pkglibdir)/pg_documentdb.so" ] && [ -f "$("$PG_CONFIG" --sharedir)/extension/documentdb.control" ]
}

if installed; then
  log "already installed ($KEY): $ENGINE"
  exit 0
fi

mkdir -p "$ENGINE"
exec 9>"$ENGINE/.install.lock"
flock 9 # a second install waits for the first, then finds the stamp
if installed; then log "installed meanwhile by another run"; exit 0; fi
started=$SECONDS

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "not root and no sudo: run as root, or install the packages and extensions by hand (README, 'Installing the engine by hand')"
  SUDO=(sudo)
fi

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "needs Debian 12 packages: ${missing[*]}"
    log "apt-get install ${missing[*]}"
    "${SUDO[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
  fi
  # Debian's pg_cron 1.4 is too old for DocumentDB (it schedules jobs in seconds); ours replaces it.
  if dpkg-query -W -f='${Status}' postgresql-$PG_MAJOR-cron 2>/dev/null | grep -q 'install ok installed'; then
    log "removing Debian's postgresql-$PG_MAJOR-cron (too old for DocumentDB; pg_cron 1.6.3 is built instead)"
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get remove -y -q postgresql-$PG_MAJOR-cron </dev/null
  fi
}

find_sources() {
  local dir
  for dir in "${STORELINK_ENGINE_SOURCES:-}" "$ROOT/../shared/vendor"; do
    if [ -n "$dir" ] && [ -d "$dir" ] && [ -f "$dir/$(head -1 "$SUMS" | awk '{print $2}')" ]; then
      SOURCES=$(cd "$dir" && pwd)
      log "sources: $SOURCES"
      return
    fi
  done
  [ -z "${STORELINK_ENGINE_SOURCES:-}" ] || die "STORELINK_ENGINE_SOURCES=$STORELINK_ENGINE_SOURCES holds none of the tarballs"
  SOURCES=$ENGINE/sources
  mkdir -p "$SOURCES"
  local file repo tag
  for file in "${!ORIGIN[@]}"; do
    [ -f "$SOURCES/$file" ] && continue
    read -r repo tag <<<"${ORIGIN[$file]}"
    log "downloading $repo $tag"
    curl -fsSL --retry 3 -o "$SOURCES/$file.part" "https://github.com/$repo/archive/refs/tags/$tag.tar.gz"
    mv "$SOURCES/$file.part" "$SOURCES/$file"
  done
}

verify_sources() {
  (cd "$SOURCES" && sha256sum --quiet -c "$SUMS") || die "checksum mismatch in $SOURCES (expected scripts/db/SHA256SUMS)"
  log "checksums match"
}

unpack() { # tarball dir
  rm -rf "$2"
  mkdir -p "$2"
  tar -xzf "$SOURCES/$1" -C "$2" --strip-components=1
}

build_extensions() {
  local build=$ENGINE/build multiarch
  multiarch=$(gcc -print-multiarch)
  # DocumentDB finds Intel's decimal library through pkg-config "intelmathlib"; Debian ships it as libbidgcc000.a
  # (CALL_BY_REF=0 GLOBAL_RND=0 GLOBAL_FLAGS=0, the variant DocumentDB's own build uses).
  mkdir -p "$ENGINE/pkgconfig"
  cat >"$ENGINE/pkgconfig/intelmathlib.pc" <<EOF
prefix=/usr
libdir=\${prefix}/lib/$multiarch
includedir=\${prefix}/include

Name: intelmathlib
Description: Intel Decimal Floating point math library (Debian libintelrdfpmath-dev)
Version: 2.0 Update 2
Cflags:
Libs: -L\${libdir} -lbidgcc000
EOF
  export PKG_CONFIG_PATH=$ENGINE/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}

  log "pgvector v0.8.0"
  unpack pgvector-v0.8.0.tar.gz "$build/pgvector"
  make -s -C "$build/pgvector" -j"$JOBS" PG_CONFIG=$PG_CONFIG with_llvm=no OPTFLAGS=""
  "${SUDO[@]}" make -s -C "$build/pgvector" install PG_CONFIG=$PG_CONFIG with_llvm=no

  log "pg_cron v1.6.3"
  unpack pg_cron-v1.6.3.tar.gz "$build/pg_cron"
  make -s -C "$build/pg_cron" -j"$JOBS" PG_CONFIG=$PG_CONFIG with_llvm=no
  "${SUDO[@]}" make -s -C "$build/pg_cron" install PG_CONFIG=$PG_CONFIG with_llvm=no

  log "DocumentDB v0.106.0-ferretdb-2.5.0 (pg_documentdb_core, pg_documentdb)"
  unpack documentdb-v0.106.0-ferretdb-2.5.0.tar.gz "$build/documentdb"
  # Debian's libbson is 1.23 (DocumentDB pins 1.28): BSON_SUBTYPE_SENSITIVE is missing, so define it and let the
  # resulting -Wswitch warning pass. with_llvm=no skips the clang bitcode (which would ignore COPT).
  "${SUDO[@]}" make -s -C "$build/documentdb" -j"$JOBS" install-no-distributed PG_CONFIG=$PG_CONFIG with_llvm=no COPT='-DBSON_SUBTYPE_SENSITIVE=0x08 -Wno-error=switch'
  rm -rf "$build"
}

install_ferretdb() {
  log "FerretDB $FERRETDB_VERSION from the Go module proxy (toolchain $GO_TOOLCHAIN)"
  local go=go arch
  export GOPATH=$ENGINE/go GOMODCACHE=$ENGINE/go/mod GOCACHE=$ENGINE/go/cache GOFLAGS=-modcacherw GOBIN=$ENGINE/bin
  # A Go that understands GOTOOLCHAIN (>= 1.21) fetches the right toolchain itself; Debian 12's golang (1.19) does not,
  # so then the toolchain module is fetched and used directly.
  if ! command -v go >/dev/null || [ -z "$(go env GOTOOLCHAIN 2>/dev/null)" ]; then
    arch=$(dpkg --print-architecture)
    local proxy=${GOPROXY:-https://proxy.golang.org}
    proxy=${proxy%%,*}
    local version="v0.0.1-$GO_TOOLCHAIN.linux-$arch" zip=$ENGINE/go/toolchain.zip
    mkdir -p "$ENGINE/go/toolchain"
    curl -fsSL --retry 3 -o "$zip" "$proxy/golang.org/toolchain/@v/$version.zip"
    unzip -q -o "$zip" -d "$ENGINE/go/toolchain"
    go="$ENGINE/go/toolchain/golang.org/toolchain@$version/bin/go"
    chmod +x "$go" "$ENGINE/go/toolchain/golang.org/toolchain@$version/pkg/tool/"*/*
  fi
  GOTOOLCHAIN=$GO_TOOLCHAIN "$go" install "github.com/FerretDB/FerretDB/v2/cmd/ferretdb@$FERRETDB_VERSION"
  "$ENGINE/bin/ferretdb" --version | sed -n 1p # not head: FerretDB would die of SIGPIPE
  rm -rf "$ENGINE/go" # module and build caches: a rebuild fetches again
}

install_packages
find_sources
verify_sources
build_extensions
install_ferretdb

cat >"$STAMP.tmp" <<EOF
{
  "key": "$KEY",
  "ferretdb": "$ENGINE/bin/ferretdb",
  "pgBinDir": "$PGBIN",
  "installedAt": "$(date -u +%FT%TZ)"
}
EOF
mv "$STAMP.tmp" "$STAMP"
log "done in $((SECONDS - started)) s: FerretDB $FERRETDB_VERSION, DocumentDB, PostgreSQL $PG_MAJOR ($ENGINE)"
