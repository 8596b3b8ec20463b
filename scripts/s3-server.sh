#!/usr/bin/env bash
# s3-server.sh DIR — start a real S3 server on 127.0.0.1 for the archive's
# tests and benchmarks: Versity Gateway (versitygw) serving DIR/data, with
# versioning (and so S3 Object Lock) in DIR/versions. Installs versitygw
# with `go install` when it is missing.
#
# Prints the environment to use it, for `eval "$(scripts/s3-server.sh DIR)"`:
#   CASEPACK_TEST_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY  (the tests)
#   S3_SERVER_PID                                          (stop it: kill "$S3_SERVER_PID")
# The keys are random for each start and reach versitygw through its
# environment, never its command line.
set -euo pipefail

VERSITYGW_VERSION=v1.8.0
DIR=${1:?usage: s3-server.sh DIR}
mkdir -p "$DIR/data" "$DIR/versions"

GOBIN=$(go env GOBIN)
[ -n "$GOBIN" ] || GOBIN=$(go env GOPATH)/bin
VGW=$(command -v versitygw || true)
if [ -z "$VGW" ]; then
	VGW=$GOBIN/versitygw
	if [ ! -x "$VGW" ]; then
		echo "s3-server: installing versitygw $VERSITYGW_VERSION (go install)" >&2
		go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" >&2
	fi
fi

# A free loopback port: bind port 0, read what the kernel chose.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ACCESS=casepack-ci
SECRET=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

ROOT_ACCESS_KEY=$ACCESS ROOT_SECRET_KEY=$SECRET \
	"$VGW" --port "127.0.0.1:$PORT" --quiet posix --versioning-dir "$DIR/versions" "$DIR/data" \
	>"$DIR/versitygw.log" 2>&1 </dev/null &
PID=$!

for _ in $(seq 1 300); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
		break
	fi
	if ! kill -0 "$PID" 2>/dev/null; then
		cat "$DIR/versitygw.log" >&2
		echo "s3-server: versitygw exited" >&2
		exit 1
	fi
	sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { kill "$PID"; echo "s3-server: versitygw did not listen on 127.0.0.1:$PORT within 30s" >&2; exit 1; }

echo "s3-server: versitygw on http://127.0.0.1:$PORT (pid $PID, data in $DIR)" >&2
cat <<EOF
export CASEPACK_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT
export CASEPACK_TEST_S3_ACCESS_KEY=$ACCESS
export CASEPACK_TEST_S3_SECRET_KEY=$SECRET
export S3_SERVER_PID=$PID
EOF
