# bash completion for escsim: commands, each command's options (read from
# its --help, so they never fall behind), option values where they are a
# fixed set, scenario files (*.lua) and result files (*.h5).
# Installed by `make install` as share/bash-completion/completions/escsim;
# to try it from a clone: source dist/escsim.bash

_escsim_commands()
{
	"${1:-escsim}" --help 2>/dev/null | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'
}

_escsim()
{
	local cur prev cmd exe i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	exe=${COMP_WORDS[0]}
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(_escsim_commands "$exe") --help --version" -- "$cur"))
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	case $prev in
	--table) COMPREPLY=($(compgen -W "runs daily events messages log summary summary/metrics summary/differences summary/binary summary/tails summary/survival summary/sweep summary/sensitivity" -- "$cur")); return 0 ;;
	--format) COMPREPLY=($(compgen -W "csv tsv" -- "$cur")); return 0 ;;
	--units) COMPREPLY=($(compgen -W "sidecar header none" -- "$cur")); return 0 ;;
	--log-level) COMPREPLY=($(compgen -W "error warn info debug" -- "$cur")); return 0 ;;
	--design) COMPREPLY=($(compgen -W "grid sobol" -- "$cur")); return 0 ;;
	--on-error) COMPREPLY=($(compgen -W "abort skip" -- "$cur")); return 0 ;;
	-o|--out|--html|--plot|--resume) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
	--plots) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
	-n|--reps|-s|--seed|-j|--threads|--rep|--root|--points|--rep-offset|--horizon|--progress-every|--set|--arm|--vary|--baseline)
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$exe" "$cmd" --help 2>/dev/null |
			grep -oE -- '(^|[ ,])--?[a-zA-Z][-a-zA-Z]*' | tr -d ' ,' | sort -u)
			-v --verbose --log-level" -- "$cur"))
		return 0
	fi
	case $cmd in
	run|compare|sweep|check) i='*.lua' ;;
	*) i='*.h5' ;;
	esac
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -X "!$i" -- "$cur") $(compgen -d -- "$cur"))
	return 0
}
complete -F _escsim escsim
