# fsinfo.sh — sourced by the bench scripts: `fsinfo DIR` prints the file
# system DIR is on, and for ext4 whether it has a journal. It matters for
# builds of many small files: ext4 without a journal checks every candidate
# inode against those deleted in the last minutes before it reuses one
# (find_inode_bit's recently_deleted), so creating 40,000 files and folders
# costs several times the system time it costs on a journalled ext4.
fsinfo() {
	local src fs dev
	read -r src fs < <(findmnt -no SOURCE,FSTYPE -T "$1")
	if [ "$fs" = ext4 ]; then
		dev=$(basename "$(readlink -f "$src")")
		if [ -d "/proc/fs/jbd2/$dev-8" ]; then fs="ext4 with a journal"; else fs="ext4 without a journal"; fi
	fi
	echo "$fs on $src"
}
