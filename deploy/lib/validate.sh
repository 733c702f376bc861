# shellcheck shell=bash
# Input checks for fundus-deploy (sourced). Each prints one line saying what is wrong and what
# would be right, and returns 1; nothing here calls AWS, so a typo fails before anything is created.

# A public DNS name Let's Encrypt can issue for: lower-case labels, a real TLD, no IP address.
validate_domain() {
  local name=$1 label
  local -a labels
  if [[ -z $name ]]; then
    echo "--domain is required: the DNS name the app is served at (e.g. grader.example.org)"
    return 1
  fi
  if [[ $name =~ [A-Z] ]]; then
    echo "domain '$name': use lower case (DNS is case-insensitive; certificates are issued for lower case)"
    return 1
  fi
  if ((${#name} > 253)) || [[ ! $name =~ ^([a-z0-9-]+\.)+[a-z]{2,63}$ ]]; then
    echo "domain '$name' is not a DNS name like grader.example.org (letters, digits, hyphens, dots; no IP, port or scheme)"
    return 1
  fi
  IFS=. read -r -a labels <<<"$name"
  for label in "${labels[@]}"; do
    if ((${#label} > 63)) || [[ $label == -* || $label == *- ]]; then
      echo "domain '$name': label '$label' must be 1-63 characters and must not start or end with a hyphen"
      return 1
    fi
  done
}

validate_region() {
  if [[ ! $1 =~ ^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$ ]]; then
    echo "region '$1' is not an AWS region name like us-east-1 (set --region or AWS_REGION)"
    return 1
  fi
}

# IPv4 CIDR whose host bits are zero, and never the whole Internet: SSH is for one administrator.
validate_admin_cidr() {
  local cidr=$1 a b c d bits
  if [[ ! $cidr =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})$ ]]; then
    echo "--admin-cidr '$cidr' is not an IPv4 range like 203.0.113.7/32"
    return 1
  fi
  a=$((10#${BASH_REMATCH[1]})) b=$((10#${BASH_REMATCH[2]})) c=$((10#${BASH_REMATCH[3]})) d=$((10#${BASH_REMATCH[4]}))
  bits=$((10#${BASH_REMATCH[5]}))
  if ((a > 255 || b > 255 || c > 255 || d > 255 || bits > 32)); then
    echo "--admin-cidr '$cidr': each number must be 0-255 and the prefix 0-32"
    return 1
  fi
  if ((bits < 8)); then
    echo "--admin-cidr '$cidr' opens SSH to far too many addresses; give your own address (/32) or use --access ssm"
    return 1
  fi
  local address=$(((a << 24) | (b << 16) | (c << 8) | d))
  local mask=$(((0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF))
  local network=$((address & mask))
  if ((network != address)); then
    echo "--admin-cidr '$cidr' has host bits set; did you mean $((network >> 24)).$(((network >> 16) & 255)).$(((network >> 8) & 255)).$((network & 255))/$bits?"
    return 1
  fi
}

# EC2 key pair names are up to 255 ASCII characters; spaces and quotes are allowed by EC2 but
# refused here so the name survives every shell and --parameter-overrides on the way.
validate_key_name() {
  if [[ ! $1 =~ ^[A-Za-z0-9._@+=,-]{1,255}$ ]]; then
    echo "--key-name '$1' must name an existing EC2 key pair (letters, digits and ._@+=,- only)"
    return 1
  fi
}

validate_access() {
  local access=$1 key=$2 cidr=$3
  case $access in
    ssm)
      if [[ -n $key || -n $cidr ]]; then
        echo "--key-name and --admin-cidr only go with --access ssh (ssm opens no inbound port)"
        return 1
      fi
      ;;
    ssh)
      if [[ -z $key || -z $cidr ]]; then
        echo "--access ssh needs --key-name (an EC2 key pair) and --admin-cidr (your address, e.g. 203.0.113.7/32)"
        return 1
      fi
      validate_key_name "$key" && validate_admin_cidr "$cidr"
      ;;
    *)
      echo "--access must be ssm (no inbound SSH; needs the Session Manager permissions) or ssh"
      return 1
      ;;
  esac
}

# Burstable types only: the template pins their CPU credits to "standard" (a fixed bill), which
# other families do not accept, and a static server needs no more than a T type gives.
validate_instance_type() {
  if [[ ! $1 =~ ^[a-z][a-z0-9-]*\.[a-z0-9]+$ ]]; then
    echo "--instance-type '$1' is not an EC2 instance type like t4g.micro"
    return 1
  fi
  if [[ ! $1 =~ ^t[0-9][a-z]*\. ]]; then
    echo "--instance-type '$1': use a burstable T type (t4g.micro, t4g.small, t3.micro …); a static server needs no more"
    return 1
  fi
}

validate_stack_name() {
  if [[ ! $1 =~ ^[A-Za-z][A-Za-z0-9-]{0,127}$ ]]; then
    echo "--stack '$1' must start with a letter and hold only letters, digits and hyphens (at most 128)"
    return 1
  fi
}

validate_hosted_zone_id() {
  if [[ -n $1 && ! $1 =~ ^Z[A-Z0-9]{1,31}$ ]]; then
    echo "--hosted-zone-id '$1' is not a Route 53 zone id like Z0123456789ABCDEFGHIJ"
    return 1
  fi
}

# Graviton families carry a g after the generation digit (t4g, m7g, c7gn, r8g); the rest are x86.
architecture_of() {
  if [[ $1 =~ ^[a-z]+[0-9]+g[a-z]*\. ]]; then echo arm64; else echo amd64; fi
}
