{{/* Names, labels and the pod spec both workloads share. */}}

{{- define "poolkeeper.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "poolkeeper.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "poolkeeper.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "poolkeeper.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "poolkeeper.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "poolkeeper.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component (webhook or controller): (dict "root" $ "component" "webhook"). */}}
{{- define "poolkeeper.selectorLabels" -}}
app.kubernetes.io/name: {{ include "poolkeeper.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "poolkeeper.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "poolkeeper.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false: the existing ServiceAccount poolkeeper runs as" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The user the API server sees for poolkeeper's pods (exempted from its own webhooks). */}}
{{- define "poolkeeper.username" -}}
system:serviceaccount:{{ .Release.Namespace }}:{{ include "poolkeeper.serviceAccountName" . }}
{{- end }}

{{- define "poolkeeper.clusterName" -}}
{{- required "settings.clusterName is required: the name of the EKS cluster poolkeeper runs in (helm install ... --set settings.clusterName=my-cluster)" .Values.settings.clusterName }}
{{- end }}

{{- define "poolkeeper.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "poolkeeper.webhookServiceName" -}}
{{- printf "%s-webhook" (include "poolkeeper.fullname" .) }}
{{- end }}

{{- define "poolkeeper.tlsSecretName" -}}
{{- printf "%s-webhook-tls" (include "poolkeeper.fullname" .) }}
{{- end }}

{{- define "poolkeeper.policyConfigMapName" -}}
{{- if .Values.policy.configMapName }}
{{- .Values.policy.configMapName }}
{{- else if .Values.policy.inline }}
{{- printf "%s-policy" (include "poolkeeper.fullname" .) }}
{{- end }}
{{- end }}

{{/* The PoolPolicy files both the webhook and the Git gate read, one --policy each. */}}
{{- define "poolkeeper.policyArgs" -}}
{{- if .Values.policy.configMapName }}
{{- range .Values.policy.configMapKeys }}
- --policy=/etc/poolkeeper/policies/{{ . }}
{{- end }}
{{- else if .Values.policy.inline }}
- --policy=/etc/poolkeeper/policies/policy.yaml
{{- end }}
{{- end }}

{{/* Whether the controller workload (sync in policy mode, run in autoscaler mode) is installed. */}}
{{- define "poolkeeper.controllerEnabled" -}}
{{- if or (eq .Values.mode "autoscaler") .Values.git.url }}true{{ end }}
{{- end }}

{{/*
The mode's cluster-wide RBAC rules (YAML list), kept beside the templates and checked against the code; in policy
mode only when sync applies (controller.apply), since sync alone never calls the API.
*/}}
{{- define "poolkeeper.clusterRules" -}}
{{- if or (eq .Values.mode "autoscaler") .Values.controller.apply }}
{{- .Files.Get (printf "rbac/%s-cluster-rules.yaml" .Values.mode) }}
{{- else }}[]
{{- end }}
{{- end }}

{{/* The Lease the controller elects its leader with, when it does: run's, or sync --apply's for the cluster. */}}
{{- define "poolkeeper.leaseName" -}}
{{- if eq .Values.mode "autoscaler" }}{{ .Values.controller.leaderElection.leaseName }}
{{- else if .Values.controller.apply }}poolkeeper-sync-{{ include "poolkeeper.clusterName" . }}
{{- end }}
{{- end }}

{{/* Whether the pods need the ServiceAccount's token: only when the mode's code calls the Kubernetes API. */}}
{{- define "poolkeeper.needsToken" -}}
{{- if or (eq .Values.mode "autoscaler") (include "poolkeeper.clusterRules" . | fromYamlArray) }}true{{ end }}
{{- end }}

{{/*
What every pod of the chart shares: the system nodes only, spread over zones, never root, nothing writable but the
volumes given. (dict "root" $ "component" "webhook")
*/}}
{{- define "poolkeeper.podSpecCommon" -}}
{{- $root := .root -}}
serviceAccountName: {{ include "poolkeeper.serviceAccountName" $root }}
# The webhook never calls the API; the controller only where its mode's code does.
automountServiceAccountToken: {{ and (eq .component "controller") (include "poolkeeper.needsToken" $root | eq "true") }}
priorityClassName: {{ $root.Values.priorityClassName | quote }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
nodeSelector:
  {{- toYaml $root.Values.nodeSelector | nindent 2 }}
tolerations:
  {{- toYaml $root.Values.tolerations | nindent 2 }}
{{- with $root.Values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- range . }}
  - {{ toYaml . | indent 4 | trim }}
    labelSelector:
      matchLabels:
        {{- include "poolkeeper.selectorLabels" $ | nindent 8 }}
  {{- end }}
{{- end }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "poolkeeper.selectorLabels" $ | nindent 12 }}
securityContext:
  runAsNonRoot: true
  runAsUser: 1000
  runAsGroup: 1000
  fsGroup: 1000
  seccompProfile:
    type: RuntimeDefault
{{- end }}

{{- define "poolkeeper.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "poolkeeper.podLabels" -}}
{{- include "poolkeeper.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- with .root.Values.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The generated CA and serving certificate (tls.mode generate), made once per render and shared by the Secret and the
webhook configurations' caBundle. An existing Secret is reused as it is (lookup), so an upgrade does not rotate
the CA under the API server; delete the Secret to rotate. The CA's key is not kept: nothing re-signs with it.
*/}}
{{- define "poolkeeper.generatedTLS" -}}
{{- if not (hasKey .Values "generatedTLS__") }}
{{- $name := include "poolkeeper.tlsSecretName" . }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name }}
{{- $tls := dict }}
{{- if and $existing $existing.data (hasKey $existing.data "ca.crt") (hasKey $existing.data "tls.crt") (hasKey $existing.data "tls.key") }}
{{- $tls = dict "ca.crt" (index $existing.data "ca.crt") "tls.crt" (index $existing.data "tls.crt") "tls.key" (index $existing.data "tls.key") }}
{{- else }}
{{- $service := include "poolkeeper.webhookServiceName" . }}
{{- $days := int .Values.tls.validityDays }}
{{- $ca := genCA (printf "%s-webhook-ca" (include "poolkeeper.fullname" .)) $days }}
{{- $dnsNames := list (printf "%s.%s.svc" $service .Release.Namespace) (printf "%s.%s.svc.cluster.local" $service .Release.Namespace) }}
{{- $cert := genSignedCert (printf "%s.%s.svc" $service .Release.Namespace) nil $dnsNames $days $ca }}
{{- $tls = dict "ca.crt" ($ca.Cert | b64enc) "tls.crt" ($cert.Cert | b64enc) "tls.key" ($cert.Key | b64enc) }}
{{- end }}
{{- $_ := set .Values "generatedTLS__" $tls }}
{{- end }}
{{- end }}

{{/* The webhook configurations' caBundle: the generated CA, or nothing for cert-manager's CA injector to fill. */}}
{{- define "poolkeeper.caBundle" -}}
{{- if eq .Values.tls.mode "generate" }}
{{- include "poolkeeper.generatedTLS" . }}
{{- index .Values.generatedTLS__ "ca.crt" }}
{{- end }}
{{- end }}

{{- define "poolkeeper.webhookAnnotations" -}}
{{- if eq .Values.tls.mode "certManager" -}}
annotations:
  cert-manager.io/inject-ca-from: {{ printf "%s/%s" .Release.Namespace (include "poolkeeper.webhookServiceName" .) }}
{{- end }}
{{- end }}

{{/* Writes by these users are never sent to the webhooks: poolkeeper's own and the ones listed (Karpenter's). */}}
{{- define "poolkeeper.matchConditions" -}}
{{- $users := prepend .Values.webhook.exemptUsernames (include "poolkeeper.username" .) | uniq -}}
matchConditions:
  - name: not-exempt-user
    expression: {{ printf "!(request.userInfo.username in [%s])" (include "poolkeeper.quotedList" $users) | quote }}
{{- end }}

{{- define "poolkeeper.quotedList" -}}
{{- $quoted := list }}
{{- range . }}{{ $quoted = append $quoted (printf "'%s'" .) }}{{ end }}
{{- join ", " $quoted }}
{{- end }}

{{/* What the webhooks are sent: NodePools and EC2NodeClasses only, so they can never block poolkeeper's own pods. */}}
{{- define "poolkeeper.webhookRules" -}}
rules:
  - apiGroups: ["karpenter.sh"]
    apiVersions: ["*"]
    resources: ["nodepools"]
    operations: {{ toJson .operations }}
    scope: Cluster
  - apiGroups: ["karpenter.k8s.aws"]
    apiVersions: ["*"]
    resources: ["ec2nodeclasses"]
    operations: {{ toJson .operations }}
    scope: Cluster
{{- end }}
