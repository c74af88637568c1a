#!/usr/bin/env bash
# Mutation check (docs/building.md, "Mutation check"): each mutant of tests/mutation/mutants.txt
# changes one comparison or constant in the ADC, statistics or RNG code; the script compiles the
# mutated source alone (its compile command from compile_commands.json), links the named test
# with that object ahead of the core library (so it replaces the library's copy), runs the named
# test cases and expects them to FAIL. A mutant the suite survives, a pattern that no longer
# matches exactly once, or a mutant that does not build, fails the check.
# Usage: run_mutants.sh BUILD_DIR SOURCE_DIR   (a Ninja build with the tests built)
set -uo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
list="$src/tests/mutation/mutants.txt"
[ -f "$build/compile_commands.json" ] || { echo "no $build/compile_commands.json"; exit 2; }
[ -f "$build/build.ninja" ] || { echo "$build is not a Ninja build"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail=0
run_mutant() {  # id file from to test cases
  local id=$1 file=$2 from=$3 to=$4 test=$5 cases=$6
  local path="$src/$file"
  local n
  n=$(grep -cF -- "$from" "$path")
  if [ "$n" != 1 ]; then
    echo "mutant $id: '$from' occurs $n times in $file (expected once): update mutants.txt"
    fail=1; return
  fi
  local mutated="$work/$id-$(basename "$file")"
  FROM="$from" TO="$to" perl -pe 's/\Q$ENV{FROM}\E/$ENV{TO}/' "$path" > "$mutated"
  # The source's compile command, with the mutated copy compiled to an object of our own.
  local cmd
  cmd=$(FILE="$path" perl -MJSON::PP -e '
    local $/; my $j = decode_json(<STDIN>);
    for my $e (@$j) { if ($e->{file} eq $ENV{FILE}) { print $e->{command}; exit 0 } }
    exit 1' < "$build/compile_commands.json") || {
    echo "mutant $id: $file is not in compile_commands.json"; fail=1; return; }
  local obj="$work/$id.o"
  cmd=$(OBJ="$obj" SRC="$mutated" ORIG="$path" perl -pe \
    's/ -o \S+/ -o $ENV{OBJ}/; s/\Q$ENV{ORIG}\E/$ENV{SRC}/; s/ -MD -MT \S+ -MF \S+//' <<< "$cmd")
  # The mutated copy lives elsewhere: its quoted includes must still find the source's folder.
  cmd="$cmd -iquote $(dirname "$path")"
  if ! (cd "$build" && eval "$cmd") > "$work/$id.log" 2>&1; then
    echo "mutant $id: does not compile"; cat "$work/$id.log"; fail=1; return
  fi
  local link
  link=$(ninja -C "$build" -t commands "tests/$test" | tail -n 1)
  link=$(OBJ="$obj" BIN="$work/$test-$id" perl -pe \
    's{ -o tests/\S+}{ -o $ENV{BIN}}; s{ (src/librapmc_core\.a)}{ $ENV{OBJ} $1}' <<< "$link")
  if ! (cd "$build" && eval "$link") > "$work/$id.log" 2>&1; then
    echo "mutant $id: does not link"; cat "$work/$id.log"; fail=1; return
  fi
  if (cd "$src" && "$work/$test-$id" -tc="$cases" > "$work/$id.run" 2>&1); then
    echo "mutant $id SURVIVED: $file: '$from' -> '$to'; $test -tc=\"$cases\" still passes"
    fail=1
  else
    echo "mutant $id killed by $test ($(grep -m1 -E 'test cases:' "$work/$id.run" | tr -s ' '))"
  fi
}

id= file= from= to= test= cases=
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    "#"*|"") ;;
    "id: "*) id=${line#id: } ;;
    "file: "*) file=${line#file: } ;;
    "from: "*) from=${line#from: } ;;
    "to: "*) to=${line#to: } ;;
    "test: "*) test=${line#test: } ;;
    "cases: "*) cases=${line#cases: }
      run_mutant "$id" "$file" "$from" "$to" "$test" "$cases"
      id= file= from= to= test= cases= ;;
    "why: "*) ;;
    *) echo "mutants.txt: cannot read line: $line"; fail=1 ;;
  esac
done < "$list"
[ "$fail" = 0 ] && echo "every mutant was killed"
exit "$fail"
